import asyncio
import importlib
import sys
from collections.abc import Coroutine
from typing import Any, Literal, TypeVar

import uvicorn
from fastapi import FastAPI

T = TypeVar("T")

app = FastAPI()


@app.get("/loop")
async def loop_class() -> dict:
    """Which event loop serves this request: uvloop.Loop or asyncio's _UnixSelectorEventLoop."""
    loop = asyncio.get_running_loop()
    return {"loop": f"{type(loop).__module__}.{type(loop).__qualname__}"}


def choose_loop() -> Literal["uvloop", "asyncio"]:
    if sys.platform == "win32":
        return "asyncio"
    try:
        importlib.import_module("uvloop")
    except ImportError:
        return "asyncio"
    return "uvloop"


def build_config(app: Any, host: str = "127.0.0.1", port: int = 8000) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, loop=choose_loop())


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    if choose_loop() == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(coro)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


if __name__ == "__main__":
    uvicorn.Server(build_config(app)).run()
