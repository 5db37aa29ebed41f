"""A pure ASGI middleware class: no BaseHTTPMiddleware, headers added to the start message."""

import time
import uuid

from fastapi import FastAPI, HTTPException, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

timer = time.perf_counter

ITEMS = {1: {"id": 1, "name": "hammer"}, 2: {"id": 2, "name": "saw"}}


def request_id_for(incoming: str | None) -> str:
    try:
        return str(uuid.UUID(incoming)) if incoming is not None else str(uuid.uuid4())
    except ValueError:
        return str(uuid.uuid4())


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = timer()
        request_id = request_id_for(Headers(scope=scope).get("x-request-id"))
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                headers["X-Process-Time-Ms"] = f"{(timer() - start) * 1000:.4f}"
            await send(message)

        await self.app(scope, receive, send_with_headers)


app = FastAPI()
app.add_middleware(RequestContextMiddleware)


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail="Item not found")
    return ITEMS[item_id]


@app.get("/whoami")
def whoami(request: Request) -> dict:
    return {"request_id": request.state.request_id}
