from celery.result import AsyncResult
from fastapi import FastAPI
from pydantic import BaseModel
from worker import celery_app, generate_report

app = FastAPI()


class ReportRequest(BaseModel):
    user_id: int


class Queued(BaseModel):
    task_id: str


@app.post("/reports", status_code=202, response_model=Queued)
async def request_report(payload: ReportRequest):
    queued = generate_report.apply_async(kwargs={"user_id": payload.user_id})
    return Queued(task_id=queued.id)


@app.get("/reports/{task_id}")
async def report_status(task_id: str):
    result = AsyncResult(task_id, app=celery_app)
    match result.state:
        case "SUCCESS":
            return {"task_id": task_id, "status": "SUCCESS", "result": result.get()}
        case "FAILURE":
            exc = result.result
            return {
                "task_id": task_id,
                "status": "FAILURE",
                "error": f"{type(exc).__name__}: {exc}",
            }
        case state:
            return {"task_id": task_id, "status": state}
