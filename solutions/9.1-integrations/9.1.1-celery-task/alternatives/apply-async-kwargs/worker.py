"""Celery app and task; the task is declared with a name of its own and keyword arguments."""

import os

from celery import Celery

BROKER_URL = os.getenv("REPORTS_BROKER_URL") or "memory://"

celery_app = Celery("reports", broker=BROKER_URL, backend="cache+memory://")

ORDERS: dict[int, list[int]] = {1: [20, 15], 2: [5], 3: []}


@celery_app.task(name="reports.generate")
def generate_report(user_id: int) -> dict:
    try:
        amounts = ORDERS[user_id]
    except KeyError:
        raise LookupError(f"no orders on record for user {user_id}") from None
    return {"user_id": user_id, "orders": len(amounts), "total": sum(amounts)}
