import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse

ITEMS = {1: {"item_id": 1, "name": "Teapot"}, 2: {"item_id": 2, "name": "Kettle"}}


def create_app(log_path: Path, max_bytes: int = 1_000_000, backup_count: int = 3) -> FastAPI:
    logger = logging.getLogger(f"app.errors.{uuid.uuid4().hex[:12]}")
    logger.setLevel(logging.ERROR)  # info and warning records stop here
    handler = RotatingFileHandler(log_path, maxBytes=max_bytes, backupCount=backup_count)
    handler.setFormatter(
        logging.Formatter("[%(asctime)s] %(levelname)-8s %(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    logger.addHandler(handler)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            logger.removeHandler(handler)
            handler.close()

    app = FastAPI(lifespan=lifespan)
    app.state.error_logger = logger

    @app.middleware("http")
    async def errors_to_file(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        try:
            return await call_next(request)
        except Exception:
            request_id = str(uuid.uuid4())
            logger.exception(
                "%s %s failed [request_id %s]", request.method, request.url.path, request_id
            )
            return JSONResponse({"error": "internal", "request_id": request_id}, status_code=500)

    @app.get("/boom")
    async def boom() -> dict:
        return {"ratio": 1 / 0}

    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> dict:
        if item_id not in ITEMS:
            raise HTTPException(status_code=404, detail="Item not found")
        return ITEMS[item_id]

    return app


app = create_app(Path("errors.log"))
