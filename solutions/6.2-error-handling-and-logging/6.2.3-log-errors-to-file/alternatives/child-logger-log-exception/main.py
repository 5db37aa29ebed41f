import logging
import secrets
from contextlib import asynccontextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

ITEMS = {1: {"item_id": 1, "name": "Teapot"}, 2: {"item_id": 2, "name": "Kettle"}}

FORMAT = "%(asctime)s | %(levelname)s | %(name)s | %(message)s"


def create_app(log_path: Path, max_bytes: int = 1_000_000, backup_count: int = 3) -> FastAPI:
    log = logging.getLogger("app.errors").getChild(secrets.token_hex(6))
    file_handler = RotatingFileHandler(str(log_path), maxBytes=max_bytes, backupCount=backup_count)
    file_handler.setFormatter(logging.Formatter(FORMAT))
    file_handler.setLevel("ERROR")
    log.addHandler(file_handler)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        log.removeHandler(file_handler)
        file_handler.close()

    app = FastAPI(lifespan=lifespan)
    app.state.error_logger = log

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception):
        rid = secrets.token_hex(8)
        log.exception(f"[{rid}] {request.method} {request.url.path} raised {type(exc).__name__}")
        return JSONResponse({"error": "internal", "request_id": rid}, status_code=500)

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
