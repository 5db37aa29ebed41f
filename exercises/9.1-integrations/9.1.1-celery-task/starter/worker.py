"""The Celery side: the app and the report task a worker would run."""

# TODO: create `celery_app = Celery("reports", broker=..., backend="cache+memory://")`, the
#       broker URL read from REPORTS_BROKER_URL (default "memory://").
celery_app = None

# A stand-in for the slow data source a real report would read: user id -> order amounts.
ORDERS: dict[int, list[int]] = {1: [20, 15], 2: [5], 3: []}


# TODO: make this a task of celery_app.
def generate_report(user_id: int) -> dict:
    # TODO: {"user_id", "orders", "total"} for a known user; LookupError for any other.
    raise NotImplementedError
