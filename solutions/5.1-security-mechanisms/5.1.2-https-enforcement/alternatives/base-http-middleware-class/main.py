"""An app that is only ever served over HTTPS (Tasks 1-4)."""

import secrets

from fastapi import FastAPI, Response, status
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

# The addresses of our own reverse proxies (they terminate TLS and forward plain http).
TRUSTED_PROXIES = ["10.0.0.5"]


class HSTSMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        response = await call_next(request)
        if request.url.scheme == "https":
            response.headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
        return response


app = FastAPI()
app.add_middleware(HSTSMiddleware)
app.add_middleware(HTTPSRedirectMiddleware)
app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=TRUSTED_PROXIES)


@app.get("/status")
def read_status() -> dict:
    return {"status": "ok"}


@app.post("/login")
def login() -> Response:
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.set_cookie(
        "session", secrets.token_urlsafe(32), secure=True, httponly=True, samesite="lax"
    )
    return response
