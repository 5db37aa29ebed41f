"""An app that is only ever served over HTTPS: plain http is redirected, https answers carry
HSTS, a TLS-terminating proxy is believed only when it is ours, and the session cookie never
travels in clear."""

import secrets

from fastapi import FastAPI, Request, Response, status
from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

# The addresses of our own reverse proxies (they terminate TLS and forward plain http).
TRUSTED_PROXIES = ["10.0.0.5"]

HSTS = "max-age=31536000; includeSubDomains"

app = FastAPI()


@app.middleware("http")
async def strict_transport_security(request: Request, call_next):
    response = await call_next(request)
    if request.url.scheme == "https":
        response.headers["Strict-Transport-Security"] = HSTS
    return response


# The last middleware added runs first: the proxy headers fix the scheme, then plain http is
# redirected, then (for https only) the HSTS middleware above sees the request.
app.add_middleware(HTTPSRedirectMiddleware)
app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=TRUSTED_PROXIES)


@app.get("/status")
def read_status() -> dict:
    return {"status": "ok"}


@app.post("/login", status_code=status.HTTP_204_NO_CONTENT)
def login(response: Response) -> None:
    response.set_cookie(
        "session",
        secrets.token_urlsafe(32),
        secure=True,
        httponly=True,
        samesite="lax",
    )
