# ALTERNATIVE: all handlers async: anyio.to_thread for crunch, asyncio.to_thread for I/O
import asyncio
import time
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel

app = FastAPI()
router = APIRouter()


def crunch(n: int) -> int:
    return sum(i * i for i in range(n))


async def sleeper(seconds: float) -> None:
    await asyncio.sleep(seconds)


def legacy_sleep(seconds: float) -> None:
    time.sleep(seconds)


class CpuResult(BaseModel):
    n: int
    result: int


@router.get("/cpu", response_model=CpuResult)
async def cpu(n: Annotated[int, Query(ge=0, le=10_000_000)]):
    return CpuResult(n=n, result=await anyio.to_thread.run_sync(crunch, n))


@router.get("/io-async")
async def io_async():
    await sleeper(seconds=0.3)
    return {"mode": "async"}


@router.get("/io-blocking")
async def io_blocking():
    await asyncio.to_thread(lambda: legacy_sleep(0.3))
    return {"mode": "blocking"}


@router.get("/health")
async def health():
    return {"status": "ok"}


app.include_router(router)
