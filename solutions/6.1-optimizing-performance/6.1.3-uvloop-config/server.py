import asyncio
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
    if sys.platform == "win32":  # uvloop is not built for Windows
        return "asyncio"
    try:
        import uvloop  # noqa: F401  (only to learn whether it is there)
    except ImportError:
        return "asyncio"
    return "uvloop"


def build_config(app: Any, host: str = "127.0.0.1", port: int = 8000) -> uvicorn.Config:
    # uvicorn's default, loop="auto", would pick the same; naming the choice makes it visible.
    return uvicorn.Config(app, host=host, port=port, loop=choose_loop())


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    if choose_loop() == "uvloop":
        import uvloop

        # A loop factory, not uvloop.install(): the process-wide policy stays as it was.
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(coro)
    with asyncio.Runner() as runner:
        return runner.run(coro)


if __name__ == "__main__":
    uvicorn.Server(build_config(app)).run()
