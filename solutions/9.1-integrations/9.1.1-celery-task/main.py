from fastapi import FastAPI, status
from pydantic import BaseModel
from worker import celery_app, generate_report

app = FastAPI()


class ReportRequest(BaseModel):
    user_id: int


@app.post("/reports", status_code=status.HTTP_202_ACCEPTED)
def request_report(payload: ReportRequest) -> dict:
    # Queue the task and answer at once: the id is all the client needs to poll.
    result = generate_report.delay(payload.user_id)
    return {"task_id": result.id}


@app.get("/reports/{task_id}")
def report_status(task_id: str) -> dict:
    result = celery_app.AsyncResult(task_id)
    body: dict = {"task_id": task_id, "status": result.state}
    if result.state == "SUCCESS":
        body["result"] = result.result
    elif result.state == "FAILURE":
        body["error"] = str(result.result)
    return body
