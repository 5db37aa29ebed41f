import logging
import uuid

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware

logger = logging.getLogger("app.errors")

app = FastAPI()

ITEMS = {1: {"id": 1, "name": "hammer"}, 2: {"id": 2, "name": "saw"}}


class RequestIdMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        request.state.request_id = request.headers.get("X-Request-ID") or str(uuid.uuid4())
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        return response


app.add_middleware(RequestIdMiddleware)


@app.exception_handler(Exception)
async def on_error(request: Request, exc: Exception):
    rid = getattr(request.state, "request_id", None) or str(uuid.uuid4())
    logger.exception("Unhandled exception, request_id=%s", rid)
    return JSONResponse(
        status_code=500,
        content={"error": "internal_server_error", "request_id": rid},
        headers={"X-Request-ID": rid},
    )


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail="Item not found")
    return ITEMS[item_id]
