"""An app that is only ever served over HTTPS (Tasks 1-4)."""

import secrets

from fastapi import FastAPI, Response, status
from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware  # noqa: F401
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware  # noqa: F401

# The addresses of our own reverse proxies (they terminate TLS and forward plain http).
TRUSTED_PROXIES = ["10.0.0.5"]

app = FastAPI()

# TODO: Task 1 - redirect plain http to https
# TODO: Task 2 - Strict-Transport-Security on every https response, never over http
# TODO: Task 3 - believe X-Forwarded-Proto from TRUSTED_PROXIES only


@app.get("/status")
def read_status() -> dict:
    return {"status": "ok"}


@app.post("/login", status_code=status.HTTP_204_NO_CONTENT)
def login(response: Response) -> None:
    # TODO: Task 4 - a cookie that never travels in clear and that scripts cannot read
    response.set_cookie("session", secrets.token_urlsafe(32))
