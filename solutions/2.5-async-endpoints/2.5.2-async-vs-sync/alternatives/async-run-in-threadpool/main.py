# ALTERNATIVE: async /io-blocking hands legacy_sleep to run_in_threadpool
import asyncio
import time

from fastapi import FastAPI, Query
from fastapi.concurrency import run_in_threadpool

app = FastAPI()


def crunch(n: int) -> int:
    return sum(i * i for i in range(n))


async def sleeper(seconds: float) -> None:
    await asyncio.sleep(seconds)


def legacy_sleep(seconds: float) -> None:
    time.sleep(seconds)


@app.get("/cpu")
def cpu(n: int = Query(ge=0, le=10**7)):
    result = crunch(n)
    return {"n": n, "result": result}


@app.get("/io-async")
async def io_async():
    await sleeper(0.3)
    return {"mode": "async"}


@app.get("/io-blocking")
async def io_blocking():
    await run_in_threadpool(legacy_sleep, 0.3)
    return {"mode": "blocking"}


@app.get("/health")
async def health():
    return {"status": "ok"}
