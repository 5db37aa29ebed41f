import os

from celery import Celery

celery_app = Celery("reports")
celery_app.conf.broker_url = os.environ.get("REPORTS_BROKER_URL", "memory://")
celery_app.conf.result_backend = "cache+memory://"

ORDERS: dict[int, list[int]] = {1: [20, 15], 2: [5], 3: []}


@celery_app.task(bind=True)
def generate_report(self, user_id: int) -> dict:
    if user_id in ORDERS:
        return {"user_id": user_id, "orders": len(ORDERS[user_id]), "total": sum(ORDERS[user_id])}
    raise LookupError("no orders on record for user %d" % user_id)
