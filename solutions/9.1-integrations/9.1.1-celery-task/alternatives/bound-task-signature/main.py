from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from worker import celery_app, generate_report

app = FastAPI()


class ReportRequest(BaseModel):
    user_id: int


@app.post("/reports")
def queue(req: ReportRequest):
    sig = generate_report.s(req.user_id)
    res = sig.delay()
    return JSONResponse({"task_id": res.id}, status_code=202)


@app.get("/reports/{task_id}")
def status_of(task_id: str):
    res = celery_app.AsyncResult(task_id)
    out = {"task_id": task_id, "status": res.status}
    if res.successful():
        out["result"] = res.result
    elif res.failed():
        out["error"] = repr(res.result)
    return out
