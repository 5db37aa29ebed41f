"""A double-submit CSRF check for every unsafe request of the app.

A pure ASGI middleware: it reads only the scope's headers, never the body, and hands
lifespan and websocket scopes straight to the app."""

import secrets
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CSRFMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        cookie_name: str = "csrftoken",
        header_name: str = "x-csrftoken",
        exempt_paths: Iterable[str] = frozenset(),
    ) -> None:
        self.app = app
        self.cookie_name = cookie_name
        self.header_name = header_name
        self.exempt_paths = frozenset(exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan, websocket
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        cookie = connection.cookies.get(self.cookie_name, "")
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send if cookie else self.with_new_cookie(send))
        elif self.allowed(connection, cookie):
            await self.app(scope, receive, send)
        else:
            refusal = JSONResponse({"detail": "CSRF token missing or invalid"}, status_code=403)
            await refusal(scope, receive, send)

    def with_new_cookie(self, send: Send) -> Send:
        token = secrets.token_urlsafe(32)
        # Not HttpOnly: the page's JavaScript reads it to copy it into the header.
        cookie = f"{self.cookie_name}={token}; Path=/; SameSite=Strict; Secure"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", cookie)  # keep the app's
            await send(message)

        return send_with_cookie

    def allowed(self, connection: HTTPConnection, cookie: str) -> bool:
        if connection.scope["path"] in self.exempt_paths:
            return True
        if self.bearer_only(connection):
            return True
        sent = connection.headers.get(self.header_name, "")
        if not cookie or not sent:
            return False
        # bytes: compare_digest refuses str that is not ASCII
        return secrets.compare_digest(sent.encode(), cookie.encode())

    @staticmethod
    def bearer_only(connection: HTTPConnection) -> bool:
        """Credentials the browser never adds by itself, and no ambient ones beside them."""
        scheme, _, credential = connection.headers.get("authorization", "").partition(" ")
        return (
            scheme.lower() == "bearer"
            and credential.strip() != ""
            and "cookie" not in connection.headers
        )
