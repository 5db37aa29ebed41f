"""Gunicorn settings (read with --config from the Dockerfile's CMD)."""

import os

bind = ["0.0.0.0:8000"]
worker_class = "uvicorn_worker.UvicornWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
graceful_timeout = 20
timeout = 60
accesslog = "-"
