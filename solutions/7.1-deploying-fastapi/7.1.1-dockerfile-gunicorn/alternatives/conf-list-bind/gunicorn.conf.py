bind = ["0.0.0.0:8000"]
workers = 2
worker_class = "uvicorn_worker.UvicornWorker"
