import asyncio
import time

from fastapi import FastAPI

app = FastAPI()


# The three helpers below are given. Keep their names: the tests replace them with instrumented
# stand-ins and watch where (event loop or worker thread) and how often your handlers call them.


def crunch(n: int) -> int:
    """CPU-bound work: the sum of i*i for i in range(n)."""
    return sum(i * i for i in range(n))


async def sleeper(seconds: float) -> None:
    """Non-blocking I/O: waits without holding the event loop (like an awaited DB or HTTP call)."""
    await asyncio.sleep(seconds)


def legacy_sleep(seconds: float) -> None:
    """Blocking I/O from a library without an async API: holds its thread while it waits."""
    time.sleep(seconds)


# TODO: Task 1 - GET /cpu?n=<int, 0..10_000_000> returns {"n": n, "result": crunch(n)}


# TODO: Task 2 - GET /io-async calls sleeper(0.3) and returns {"mode": "async"}


# TODO: Task 3 - GET /io-blocking calls legacy_sleep(0.3) and returns {"mode": "blocking"}


# TODO: Task 4 - GET /health returns {"status": "ok"}
