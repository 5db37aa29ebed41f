import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

# Our TLS-terminating proxy: the only address whose X-Forwarded-Proto is believed.
TRUSTED_PROXIES = ["10.0.0.5"]

# The metrics scraper's account. A real app reads both from the environment at startup.
REPORT_USERNAME = "scraper"
REPORT_PASSWORD = "kP9vX2mQz7rT4wdL8nB3"

REPORTS = [{"id": 1, "title": "Q1 revenue"}, {"id": 2, "title": "Q2 revenue"}]

HSTS = "max-age=31536000; includeSubDomains"
BASIC_PATH = "/reports"

app = FastAPI(title="Reports API")
security = HTTPBasic()


@app.middleware("http")
async def https_only(request: Request, call_next):
    if request.url.scheme != "https":
        if request.url.path == BASIC_PATH:
            # The credentials already crossed the network in clear: refuse loudly, look at
            # nothing, and send no challenge that would make a browser send them again.
            return JSONResponse({"detail": "HTTPS required"}, status_code=403)
        return RedirectResponse(str(request.url.replace(scheme="https")), status_code=307)
    response = await call_next(request)
    response.headers["Strict-Transport-Security"] = HSTS
    return response


def scraper(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> str:
    # Both comparisons run every time, on bytes (compare_digest refuses non-ASCII str).
    username_ok = secrets.compare_digest(
        credentials.username.encode("utf-8"), REPORT_USERNAME.encode("utf-8")
    )
    password_ok = secrets.compare_digest(
        credentials.password.encode("utf-8"), REPORT_PASSWORD.encode("utf-8")
    )
    if not (username_ok and password_ok):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Basic"},
        )
    return credentials.username


@app.get("/")
def index() -> dict[str, str]:
    return {"service": "reports"}


@app.get(BASIC_PATH)
def reports(username: Annotated[str, Depends(scraper)]) -> dict[str, list]:
    return {"reports": REPORTS}


# Added last, so it runs first: every middleware above sees the scheme the proxy reported.
app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=TRUSTED_PROXIES)
