import itertools
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

ITEMS = {1: {"item_id": 1, "name": "Teapot"}, 2: {"item_id": 2, "name": "Kettle"}}

# getLogger(name) hands out one logger per name for the whole process: two apps sharing
# "app.errors" would each receive the other's records. Each app gets its own child instead
# (they still propagate to "app.errors", where a process-wide handler could see them all).
_app_numbers = itertools.count(1)


def create_app(log_path: Path, max_bytes: int = 1_000_000, backup_count: int = 3) -> FastAPI:
    error_logger = logging.getLogger(f"app.errors.{next(_app_numbers)}")
    handler = RotatingFileHandler(
        log_path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=True
    )
    handler.setLevel(logging.ERROR)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    error_logger.addHandler(handler)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        error_logger.removeHandler(handler)
        handler.close()

    app = FastAPI(lifespan=lifespan)
    app.state.error_logger = error_logger

    @app.exception_handler(Exception)
    async def unhandled_error(request: Request, exc: Exception) -> JSONResponse:
        request_id = uuid.uuid4().hex
        # method and path only: the query string, the headers and the body may hold secrets
        error_logger.error(
            "unhandled error request_id=%s method=%s path=%s",
            request_id,
            request.method,
            request.url.path,
            exc_info=exc,
        )
        return JSONResponse(
            status_code=500, content={"error": "internal", "request_id": request_id}
        )

    @app.get("/boom")
    async def boom() -> dict:
        return {"ratio": 1 / 0}

    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> dict:
        if item_id not in ITEMS:
            raise HTTPException(status_code=404, detail="Item not found")
        return ITEMS[item_id]

    return app


app = create_app(Path("errors.log"))  # for `fastapi dev main.py`; the tests make their own
