"""Pure ASGI with raw messages: SimpleCookie for the cookies, a hand-sent 403."""

import hmac
import json
import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CSRFMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        cookie_name="csrftoken",
        header_name="x-csrftoken",
        exempt_paths=frozenset(),
    ):
        self.app = app
        self.cookie_name = cookie_name
        self.header_name = header_name.lower()
        self.exempt_paths = set(exempt_paths)

    def _cookies(self, headers: Headers) -> dict:
        jar = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:
            return {}
        return {k: v.value for k, v in jar.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        cookies = self._cookies(headers)
        method = scope["method"].upper()

        if method in SAFE_METHODS:
            if cookies.get(self.cookie_name):
                return await self.app(scope, receive, send)
            helper = Response()
            helper.set_cookie(
                self.cookie_name,
                secrets.token_urlsafe(32),
                path="/",
                secure=True,
                samesite="strict",
            )
            cookie_header = helper.raw_headers[-1]

            async def send_wrapper(message):
                if message["type"] == "http.response.start":
                    message = dict(message)
                    message["headers"] = list(message.get("headers", [])) + [cookie_header]
                await send(message)

            return await self.app(scope, receive, send_wrapper)

        if scope["path"] in self.exempt_paths:
            return await self.app(scope, receive, send)

        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer " and auth[7:].strip() and "cookie" not in headers:
            return await self.app(scope, receive, send)

        sent = headers.get(self.header_name, "")
        cookie = cookies.get(self.cookie_name, "")
        if sent and cookie and hmac.compare_digest(sent.encode("utf-8"), cookie.encode("utf-8")):
            return await self.app(scope, receive, send)

        body = json.dumps({"detail": "CSRF token missing or invalid"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
