"""An e-mail outbox whose jobs are sent by one tracked worker task, retried with backoff, and
drained when the app shuts down."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel, Field

Sender = Callable[[str, str, str], Awaitable[None]]


async def send_email(to: str, subject: str, body: str) -> None:
    """Stands in for an SMTP or e-mail API call."""
    await asyncio.sleep(0.1)
    print(f"sent {subject!r} to {to}")


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
        # TODO (Task 1): the jobs and their statuses, the queue, the worker task

    def start(self) -> None:
        """Start the worker on the running event loop."""
        # TODO (Task 1)

    async def stop(self) -> None:
        """Refuse new jobs, drain the queue (at most drain_timeout seconds), cancel the worker."""
        # TODO (Task 3)


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
    # TODO (Task 1): queue the job and answer its id; 503 once the runner is stopping (Task 3)
    # Don't `asyncio.create_task(runner.send(...))` here: nobody would own that task.
    raise NotImplementedError


# TODO (Task 1): GET /emails/{email_id}
