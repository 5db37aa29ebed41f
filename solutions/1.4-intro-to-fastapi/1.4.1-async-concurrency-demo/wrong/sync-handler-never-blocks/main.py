# WRONG: /io/sync awaits asyncio.sleep() like /io/async: nothing blocks, no worker thread is used.
import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI

IO_SECONDS = 0.2  # how long each simulated I/O call waits

app = FastAPI()

# Plain def handlers run in worker threads, so the counters are shared between threads: a lock
# makes each read-modify-write atomic.
_lock = threading.Lock()
stats = {"in_flight": 0, "max_in_flight": 0}


@contextmanager
def in_flight() -> Iterator[None]:
    """Counts the request as in flight for the duration of the with block."""
    with _lock:
        stats["in_flight"] += 1
        stats["max_in_flight"] = max(stats["max_in_flight"], stats["in_flight"])
    try:
        yield
    finally:
        with _lock:
            stats["in_flight"] -= 1


@app.get("/io/async")
async def io_async() -> dict[str, str]:
    # await hands the event loop to other requests while this one waits: no thread needed.
    with in_flight():
        await asyncio.sleep(IO_SECONDS)
    return {"mode": "async"}


@app.get("/io/sync")
async def io_sync() -> dict[str, str]:
    with in_flight():
        await asyncio.sleep(IO_SECONDS)
    return {"mode": "sync"}


@app.get("/stats")
def get_stats() -> dict[str, int]:
    with _lock:
        return dict(stats)


@app.post("/stats/reset", status_code=204)
def reset_stats() -> None:
    with _lock:
        # Requests still running stay counted; when idle this is 0.
        stats["max_in_flight"] = stats["in_flight"]
