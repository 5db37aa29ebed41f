"""The same controls written by hand as one pure ASGI wrapper around the FastAPI app: work out
the real scheme (X-Forwarded-Proto only from our proxies), redirect plain http, add HSTS."""

import ipaddress
import secrets

from fastapi import FastAPI, Response
from starlette.datastructures import URL, MutableHeaders
from starlette.responses import RedirectResponse

TRUSTED_PROXIES = ["10.0.0.5"]

HSTS = "max-age=31536000; includeSubDomains"

api = FastAPI()


@api.get("/status")
def read_status() -> dict:
    return {"status": "ok"}


@api.post("/login", status_code=204)
def login() -> Response:
    response = Response(status_code=204)
    response.set_cookie(
        key="session",
        value=secrets.token_urlsafe(32),
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return response


def _is_trusted(host: str | None) -> bool:
    if host is None:
        return False
    for proxy in TRUSTED_PROXIES:
        try:
            if ipaddress.ip_address(host) == ipaddress.ip_address(proxy):
                return True
        except ValueError:
            if host == proxy:
                return True
    return False


class HttpsOnly:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scheme = scope["scheme"]
        client = scope.get("client")
        if _is_trusted(client[0] if client else None):
            for name, value in scope["headers"]:
                if name == b"x-forwarded-proto":
                    forwarded = value.decode("latin-1").strip().lower()
                    if forwarded in ("http", "https"):
                        scheme = forwarded
        if scheme != "https":
            url = URL(scope=scope)
            await RedirectResponse(str(url.replace(scheme="https")), status_code=307)(
                scope, receive, send
            )
            return
        scope = {**scope, "scheme": "https"}

        async def send_with_hsts(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_hsts)


app = HttpsOnly(api)
