"""Pure ASGI middlewares, listed in FastAPI(middleware=[...]): outermost first, as in Django."""

import json

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send


class Traced:
    def __init__(self, app: ASGIApp, name: str, trace: list[str]) -> None:
        self.app = app
        self.name = name
        self.trace = trace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.trace.append(f"{self.name}>")
        await self.app(scope, receive, send)
        self.trace.append(f"<{self.name}")


class TokenRequired:
    def __init__(self, app: ASGIApp, trace: list[str]) -> None:
        self.app = app
        self.trace = trace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.trace.append("Auth>")
        if Headers(scope=scope).get("x-token") is None:
            body = json.dumps({"detail": "Not authenticated"}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
        self.trace.append("<Auth")


def build_app(trace: list[str]) -> FastAPI:
    app = FastAPI(
        middleware=[
            Middleware(Traced, name="Logging", trace=trace),
            Middleware(Traced, name="Timing", trace=trace),
            Middleware(TokenRequired, trace=trace),
        ]
    )

    @app.get("/hello")
    def hello() -> dict:
        trace.append("endpoint")
        return {"message": "hello"}

    return app
