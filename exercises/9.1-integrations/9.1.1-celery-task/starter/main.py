from fastapi import FastAPI
from pydantic import BaseModel

from worker import celery_app, generate_report  # noqa: F401  (you will use both)

app = FastAPI()


class ReportRequest(BaseModel):
    user_id: int


# TODO: POST /reports queues generate_report and answers 202 {"task_id"}.
# TODO: GET /reports/{task_id} answers {"task_id", "status"} plus "result" or "error".
