"""A worker that ends itself on a sentinel: stop() enqueues it and waits for the worker task
(at most drain_timeout), cancelling it only when the wait times out."""

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel, Field

STOP = object()  # the sentinel: everything queued before it has been handled


async def send_email(to: str, subject: str, body: str) -> None:
    await asyncio.sleep(0.1)


class TaskRunner:
    def __init__(self) -> None:
        self.send = send_email
        self.sleep = asyncio.sleep
        self.drain_timeout = 10.0
        self.jobs: dict[str, dict[str, Any]] = {}
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.worker: asyncio.Task[None] | None = None
        self.closed = False
        self._ids = itertools.count(1)

    def start(self) -> None:
        self.worker = asyncio.get_running_loop().create_task(self.run())

    def add(self, message: dict[str, str]) -> str:
        if self.closed:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the outbox is closed")
        job_id = f"email-{next(self._ids)}"
        self.jobs[job_id] = {"id": job_id, "status": "pending", "attempts": 0, **message}
        self.queue.put_nowait(job_id)
        return job_id

    async def run(self) -> None:
        while (job_id := await self.queue.get()) is not STOP:
            await self.attempt_all(self.jobs[job_id])

    async def attempt_all(self, job: dict[str, Any]) -> None:
        delay = 1
        while True:
            job["attempts"] += 1
            try:
                await self.send(job["to"], job["subject"], job["body"])
                job["status"] = "sent"
                return
            except Exception as exc:
                job["error"] = str(exc)
                if job["attempts"] == 3:
                    job["status"] = "failed"
                    return
            await self.sleep(delay)
            delay *= 2

    async def stop(self) -> None:
        if self.closed:
            return
        self.closed = True
        worker = self.worker
        if worker is None:
            return
        self.queue.put_nowait(STOP)
        done, _ = await asyncio.wait({worker}, timeout=self.drain_timeout)
        if not done:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)


runner = TaskRunner()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    runner.start()
    yield
    await runner.stop()


app = FastAPI(lifespan=lifespan)


class EmailIn(BaseModel):
    to: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    body: str


@app.post("/emails", status_code=status.HTTP_202_ACCEPTED)
async def post_email(email: EmailIn):
    return {"id": runner.add(email.model_dump())}


@app.get("/emails/{email_id}")
async def get_email(email_id: str):
    job = runner.jobs.get(email_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown e-mail")
    return {"id": job["id"], "status": job["status"], "attempts": job["attempts"]}
