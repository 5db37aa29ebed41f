"""An e-mail outbox whose jobs are sent by one tracked worker task, retried with backoff, and
drained when the app shuts down."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

MAX_ATTEMPTS = 3
FIRST_DELAY = 1.0  # seconds before the second attempt; doubled before each next one

Sender = Callable[[str, str, str], Awaitable[None]]


async def send_email(to: str, subject: str, body: str) -> None:
    """Stands in for an SMTP or e-mail API call."""
    await asyncio.sleep(0.1)
    print(f"sent {subject!r} to {to}")


@dataclass
class EmailJob:
    id: str
    to: str
    subject: str
    body: str
    status: str = "pending"
    attempts: int = 0


class RunnerStopped(Exception):
    """The runner accepts no new jobs."""


class TaskRunner:
    def __init__(
        self,
        send: Sender = send_email,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        drain_timeout: float = 10.0,
    ) -> None:
        self.send = send
        self.sleep = sleep
        self.drain_timeout = drain_timeout
        self.jobs: dict[str, EmailJob] = {}
        self._queue: asyncio.Queue[EmailJob] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._accepting = False

    def start(self) -> None:
        """Start the worker on the running event loop."""
        self._queue = asyncio.Queue()
        self._worker = asyncio.create_task(self._work(), name="email-worker")
        self._accepting = True

    def submit(self, to: str, subject: str, body: str) -> EmailJob:
        if not self._accepting or self._queue is None:
            raise RunnerStopped
        job = EmailJob(id=uuid.uuid4().hex, to=to, subject=subject, body=body)
        self.jobs[job.id] = job
        self._queue.put_nowait(job)
        return job

    async def stop(self) -> None:
        """Refuse new jobs, let the worker finish the queue (at most drain_timeout seconds),
        then cancel it and wait until it has ended. A second call returns at once."""
        self._accepting = False
        worker, self._worker = self._worker, None
        if worker is None:
            return
        assert self._queue is not None
        try:
            async with asyncio.timeout(self.drain_timeout):
                await self._queue.join()
        except TimeoutError:
            pass  # what is left stays pending
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            job = await self._queue.get()
            try:
                await self._deliver(job)
            finally:
                self._queue.task_done()

    async def _deliver(self, job: EmailJob) -> None:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            job.attempts = attempt
            try:
                await self.send(job.to, job.subject, job.body)
            except Exception:
                if attempt == MAX_ATTEMPTS:
                    job.status = "failed"
                    return
                await self.sleep(FIRST_DELAY * 2 ** (attempt - 1))
            else:
                job.status = "sent"
                return


runner = TaskRunner()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    runner.start()
    try:
        yield
    finally:
        await runner.stop()


app = FastAPI(title="Outbox", lifespan=lifespan)


class EmailIn(BaseModel):
    to: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    body: str


class EmailStatus(BaseModel):
    id: str
    status: str
    attempts: int


@app.post("/emails", status_code=202)
async def queue_email(email: EmailIn) -> dict[str, str]:
    try:
        job = runner.submit(email.to, email.subject, email.body)
    except RunnerStopped:
        raise HTTPException(status_code=503, detail="shutting down, try again later") from None
    return {"id": job.id}


@app.get("/emails/{email_id}")
async def email_status(email_id: str) -> EmailStatus:
    job = runner.jobs.get(email_id)
    if job is None:
        raise HTTPException(status_code=404, detail="no such e-mail")
    return EmailStatus(id=job.id, status=job.status, attempts=job.attempts)
