"""Grading a class on several machines: Celery workers fed through Redis.

`app` configures Celery for grading (late acknowledgement, one task at a time per process,
events for monitoring); `payload` carries one student's checked files in a task; `tasks` is
what a worker runs for each student; `dispatch` is the batch side that enqueues a class and
collects its results into the same report a local batch gives.
"""
