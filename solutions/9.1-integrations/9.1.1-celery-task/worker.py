"""The Celery side: the app and the report task a worker would run."""

import os

from celery import Celery

celery_app = Celery(
    "reports",
    broker=os.environ.get("REPORTS_BROKER_URL", "memory://"),
    backend="cache+memory://",
)

# A stand-in for the slow data source a real report would read: user id -> order amounts.
ORDERS: dict[int, list[int]] = {1: [20, 15], 2: [5], 3: []}


@celery_app.task
def generate_report(user_id: int) -> dict:
    if user_id not in ORDERS:
        raise LookupError(f"no orders on record for user {user_id}")
    amounts = ORDERS[user_id]
    return {"user_id": user_id, "orders": len(amounts), "total": sum(amounts)}
