"""The Celery application both sides share: the batch that enqueues and the workers that grade.

Settings that make a lost worker cost nothing but time:
- late acknowledgement (`task_acks_late`): a task is acknowledged only once its student is
  graded and recorded, so a worker killed mid-task leaves the message unacknowledged, and the
  Redis transport hands it to another worker once the visibility timeout has passed;
- `task_reject_on_worker_lost`: a pool process that dies (SIGKILL, the OOM killer) has its
  task requeued at once instead of being marked failed;
- `worker_prefetch_multiplier = 1`: a process reserves one student at a time, so a slow
  student never holds others back on a busy machine while idle machines wait;
- events on (`worker_send_task_events`, `task_send_sent_event`), so Flower shows the queue.

The result backend is the broker's Redis: the batch reads each student's outcome from it.
"""

from __future__ import annotations

import os

from celery import Celery

QUEUE = "grade"
TASK = "grade.student"
VISIBILITY_TIMEOUT = 3600  # seconds: longer than any one student's grading
RESULTS_KEPT = 7 * 24 * 3600


def visibility_timeout() -> int:
    """GRADE_VISIBILITY_TIMEOUT overrides the default (tests shorten it to seconds)."""
    return int(os.environ.get("GRADE_VISIBILITY_TIMEOUT", VISIBILITY_TIMEOUT))


def make_app(broker: str, *, timeout: int | None = None) -> Celery:
    timeout = timeout or visibility_timeout()
    transport = {
        "visibility_timeout": timeout,
        # sweep for abandoned tasks often enough that a short timeout is honoured too
        "unacked_restore_interval": max(1, min(10, timeout // 2)),
        "unacked_restore_throttle": 1,
        "socket_timeout": 10,
        "socket_connect_timeout": 5,
    }
    app = Celery("grade", broker=broker, backend=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_track_started=True,
        worker_send_task_events=True,
        task_send_sent_event=True,
        task_default_queue=QUEUE,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        result_expires=RESULTS_KEPT,
        broker_transport_options=transport,
        result_backend_transport_options={"socket_timeout": 10, "socket_connect_timeout": 5},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
    )
    return app
