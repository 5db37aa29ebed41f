# WRONG: /health is a plain def, so it queues for a worker thread when all are busy.
import asyncio
import time
from typing import Annotated

from fastapi import FastAPI, Query

app = FastAPI()


def crunch(n: int) -> int:
    """CPU-bound work: the sum of i*i for i in range(n)."""
    return sum(i * i for i in range(n))


async def sleeper(seconds: float) -> None:
    """Non-blocking I/O: waits without holding the event loop (like an awaited DB or HTTP call)."""
    await asyncio.sleep(seconds)


def legacy_sleep(seconds: float) -> None:
    """Blocking I/O from a library without an async API: holds its thread while it waits."""
    time.sleep(seconds)


@app.get("/cpu")
def cpu(n: Annotated[int, Query(ge=0, le=10_000_000)]) -> dict[str, int]:
    # A plain def runs in the thread pool, so the event loop stays free while crunch() works.
    return {"n": n, "result": crunch(n)}


@app.get("/io-async")
async def io_async() -> dict[str, str]:
    # Awaiting hands the loop to other requests while this one waits.
    await sleeper(0.3)
    return {"mode": "async"}


@app.get("/io-blocking")
def io_blocking() -> dict[str, str]:
    # A blocking call belongs in a plain def: it then blocks a worker thread, not the loop.
    legacy_sleep(0.3)
    return {"mode": "blocking"}


@app.get("/health")
def health() -> dict[str, str]:
    # Nothing to wait for: async def answers on the loop without taking a worker thread.
    return {"status": "ok"}
