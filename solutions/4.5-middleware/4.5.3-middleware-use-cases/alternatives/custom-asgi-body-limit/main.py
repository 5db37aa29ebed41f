"""The middlewares listed in FastAPI(middleware=[...]) (outermost first), with a hand-written
pure ASGI body limit instead of FastAPI's max_body_size."""

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_SIZE = 1_048_576


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = PlainTextResponse("Content Too Large", status_code=413)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_size:
            await too_large(scope, receive, send)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_size:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await too_large(scope, receive, send)


app = FastAPI(
    middleware=[
        Middleware(TrustedHostMiddleware, allowed_hosts=["api.example.com", "testserver"]),
        Middleware(BodyLimitMiddleware, max_body_size=MAX_BODY_SIZE),
        Middleware(
            CORSMiddleware,
            allow_origins=["https://app.example.com"],
            allow_credentials=True,
            allow_methods=["GET", "POST"],
        ),
        Middleware(GZipMiddleware, minimum_size=1000),
    ]
)


@app.get("/report")
def report(size: int = 10) -> PlainTextResponse:
    """A plain-text report of exactly `size` bytes."""
    return PlainTextResponse("r" * size)


@app.post("/upload")
async def upload(request: Request) -> dict:
    body = await request.body()
    return {"size": len(body)}
