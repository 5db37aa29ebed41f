import asyncio
import logging
import sys
from collections.abc import Coroutine
from typing import Any, Literal, TypeVar

import uvicorn
from fastapi import FastAPI

try:  # uvloop is optional: it is not built for Windows and may simply not be installed
    import uvloop
except ImportError:
    uvloop = None

T = TypeVar("T")
logger = logging.getLogger("server")

app = FastAPI()


@app.get("/loop")
async def loop_class() -> dict:
    """Which event loop serves this request: uvloop.Loop or asyncio's _UnixSelectorEventLoop."""
    loop = asyncio.get_running_loop()
    return {"loop": f"{type(loop).__module__}.{type(loop).__qualname__}"}


def choose_loop() -> Literal["uvloop", "asyncio"]:
    if uvloop is None or sys.platform.startswith("win"):
        return "asyncio"
    return "uvloop"


def build_config(app: Any, host: str = "127.0.0.1", port: int = 8000) -> uvicorn.Config:
    loop = choose_loop()
    logger.info("serving on %s:%s with the %s event loop", host, port, loop)
    return uvicorn.Config(app=app, host=host, port=port, loop=loop, log_level="info")


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    if choose_loop() == "uvloop":
        return uvloop.run(coro)
    return asyncio.run(coro)


if __name__ == "__main__":
    uvicorn.Server(build_config(app)).run()
