import asyncio
import sys  # noqa: F401  (Task 1: sys.platform)
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


# TODO: Task 1 - "asyncio" on Windows (sys.platform == "win32") or when `import uvloop` raises
#       ImportError, "uvloop" otherwise; server.py must import without uvloop
def choose_loop() -> Literal["uvloop", "asyncio"]:
    raise NotImplementedError


# TODO: Task 2 - a uvicorn.Config for app on host and port, with loop=choose_loop()
def build_config(app: Any, host: str = "127.0.0.1", port: int = 8000) -> uvicorn.Config:
    raise NotImplementedError


# TODO: Task 3 - run coro on a new loop (a uvloop.Loop when choose_loop() says "uvloop", made
#       by a loop factory; never uvloop.install()), close it, and return coro's result
def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    raise NotImplementedError


if __name__ == "__main__":
    uvicorn.Server(build_config(app)).run()
