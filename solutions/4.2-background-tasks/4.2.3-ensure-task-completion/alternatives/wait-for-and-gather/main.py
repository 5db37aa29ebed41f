import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from itertools import count

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

Sender = Callable[[str, str, str], Awaitable[None]]


async def send_email(to: str, subject: str, body: str) -> None:
    await asyncio.sleep(0.1)
    print(f"sent {subject!r} to {to}")


class Job(BaseModel):
    id: str
    to: str
    subject: str
    body: str
    status: str = "pending"
    attempts: int = 0


class TaskRunner:
    def __init__(self, send: Sender = send_email, sleep=asyncio.sleep, drain_timeout: float = 10.0):
        self.send = send
        self.sleep = sleep
        self.drain_timeout = drain_timeout
        self.jobs: dict[str, Job] = {}
        self.queue: asyncio.Queue[str] | None = None
        self.worker: asyncio.Task | None = None
        self.accepting = False
        self._ids = count(1)
        self._stopped = False

    def start(self) -> None:
        self.queue = asyncio.Queue()
        self.accepting = True
        self.worker = asyncio.create_task(self._loop())

    def enqueue(self, to: str, subject: str, body: str) -> Job:
        job = Job(id=str(next(self._ids)), to=to, subject=subject, body=body)
        self.jobs[job.id] = job
        self.queue.put_nowait(job.id)
        return job

    async def _loop(self) -> None:
        while True:
            job_id = await self.queue.get()
            job = self.jobs[job_id]
            try:
                for n in range(3):
                    job.attempts += 1
                    try:
                        await self.send(job.to, job.subject, job.body)
                    except Exception:
                        if n < 2:
                            await self.sleep(2**n)
                        continue
                    job.status = "sent"
                    break
                else:
                    job.status = "failed"
            finally:
                self.queue.task_done()

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.accepting = False
        if self.worker is None:
            return
        try:
            await asyncio.wait_for(self.queue.join(), timeout=self.drain_timeout)
        except asyncio.TimeoutError:
            pass
        self.worker.cancel()
        await asyncio.gather(self.worker, return_exceptions=True)


runner = TaskRunner()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    runner.start()
    yield
    await runner.stop()


app = FastAPI(title="Outbox", lifespan=lifespan)


class EmailIn(BaseModel):
    to: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    body: str


@app.post("/emails", status_code=202)
async def queue_email(email: EmailIn) -> dict[str, str]:
    if not runner.accepting:
        raise HTTPException(503, "shutting down")
    job = runner.enqueue(email.to, email.subject, email.body)
    return {"id": job.id}


@app.get("/emails/{email_id}")
async def get_email(email_id: str):
    job = runner.jobs.get(email_id)
    if job is None:
        raise HTTPException(404)
    return job.model_dump(include={"id", "status", "attempts"})
