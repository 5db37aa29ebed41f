# Read through --config /etc/gunicorn/gunicorn.conf.py.
bind = "0.0.0.0:8000"
worker_class = "uvicorn_worker.UvicornWorker"
workers = 2
