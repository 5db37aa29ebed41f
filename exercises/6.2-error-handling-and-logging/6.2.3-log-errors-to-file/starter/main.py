import logging  # noqa: F401 - for Task 1
import uuid  # noqa: F401 - for Task 2
from logging.handlers import RotatingFileHandler  # noqa: F401 - for Task 1
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request  # noqa: F401 - Request for Task 2
from fastapi.responses import JSONResponse  # noqa: F401 - for Task 2

ITEMS = {1: {"item_id": 1, "name": "Teapot"}, 2: {"item_id": 2, "name": "Kettle"}}


def create_app(log_path: Path, max_bytes: int = 1_000_000, backup_count: int = 3) -> FastAPI:
    # TODO: Task 1 - a logger of this app's own (app.errors.<unique>) in app.state.error_logger,
    #       with a RotatingFileHandler on log_path (max_bytes, backup_count), ERROR and above
    #       only, a format that shows the level name; removed and closed at shutdown (lifespan)
    app = FastAPI()

    # TODO: Task 2 - a handler for Exception: one ERROR record with a new request id, the
    #       method, the path and the traceback; answer 500 {"error": "internal", "request_id"}

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
