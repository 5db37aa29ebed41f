# Optional: Gunicorn settings (bind, worker_class, workers, ...), if you prefer them here to
# options on the command line. Gunicorn reads ./gunicorn.conf.py from its working directory by
# default (or the file named with --config): the Dockerfile must copy it there.
