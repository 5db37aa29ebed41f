import secrets  # noqa: F401
from typing import Annotated  # noqa: F401

from fastapi import Depends, FastAPI, HTTPException, Request, status  # noqa: F401
from fastapi.responses import JSONResponse, RedirectResponse  # noqa: F401
from fastapi.security import HTTPBasic, HTTPBasicCredentials  # noqa: F401
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

# Our TLS-terminating proxy: the only address whose X-Forwarded-Proto is believed.
TRUSTED_PROXIES = ["10.0.0.5"]

# The metrics scraper's account. A real app reads both from the environment at startup.
REPORT_USERNAME = "scraper"
REPORT_PASSWORD = "kP9vX2mQz7rT4wdL8nB3"

REPORTS = [{"id": 1, "title": "Q1 revenue"}, {"id": 2, "title": "Q2 revenue"}]

app = FastAPI(title="Reports API")

# TODO: Task 1 - plain http: 403 {"detail": "HTTPS required"} for /reports, 307 to https for
#       everything else
# TODO: Task 2 - Strict-Transport-Security on every https response
# TODO: Task 3 - HTTPBasic; compare the username and the password with
#       secrets.compare_digest on bytes, both every time


@app.get("/")
def index() -> dict[str, str]:
    return {"service": "reports"}


@app.get("/reports")
def reports() -> dict[str, list]:
    return {"reports": REPORTS}


# Keep this last: the middleware added last runs first, so that every middleware added above
# sees the scheme our proxy reported.
app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=TRUSTED_PROXIES)
