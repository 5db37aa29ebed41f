import hmac
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.middleware.httpsredirect import HTTPSRedirectMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from starlette.middleware.base import BaseHTTPMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

# Our TLS-terminating proxy: the only address whose X-Forwarded-Proto is believed.
TRUSTED_PROXIES = ["10.0.0.5"]

# The metrics scraper's account. A real app reads both from the environment at startup.
REPORT_USERNAME = "scraper"
REPORT_PASSWORD = "kP9vX2mQz7rT4wdL8nB3"

REPORTS = [{"id": 1, "title": "Q1 revenue"}, {"id": 2, "title": "Q2 revenue"}]

app = FastAPI(title="Reports API")


class StrictTransportSecurity(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        response = await call_next(request)
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response


# Innermost of the three: a plain-http request that got past refuse_plain_reports is redirected.
app.add_middleware(HTTPSRedirectMiddleware)


@app.middleware("http")
async def refuse_plain_reports(request: Request, call_next):
    if request.url.scheme == "http" and request.url.path == "/reports":
        return JSONResponse(status_code=403, content={"detail": "HTTPS required"})
    return await call_next(request)


app.add_middleware(StrictTransportSecurity)

basic = HTTPBasic()


def check(creds: Annotated[HTTPBasicCredentials, Depends(basic)]):
    results = [
        hmac.compare_digest(creds.username.encode("utf-8"), REPORT_USERNAME.encode("utf-8")),
        hmac.compare_digest(creds.password.encode("utf-8"), REPORT_PASSWORD.encode("utf-8")),
    ]
    if not all(results):
        raise HTTPException(401, "Unauthorized", headers={"WWW-Authenticate": "Basic"})


@app.get("/")
def index() -> dict[str, str]:
    return {"service": "reports"}


@app.get("/reports", dependencies=[Depends(check)])
def reports() -> dict[str, list]:
    return {"reports": REPORTS}


# Keep this last: the middleware added last runs first, so that every middleware added above
# sees the scheme our proxy reported.
app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=TRUSTED_PROXIES)
