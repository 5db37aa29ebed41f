import hmac
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from starlette.datastructures import URL, MutableHeaders
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

TRUSTED_PROXIES = ["10.0.0.5"]

REPORT_USERNAME = "scraper"
REPORT_PASSWORD = "kP9vX2mQz7rT4wdL8nB3"

REPORTS = [{"id": 1, "title": "Q1 revenue"}, {"id": 2, "title": "Q2 revenue"}]


class HttpsPolicy:
    """Plain http: redirected, except the paths that refuse it themselves. https: HSTS."""

    def __init__(self, app: ASGIApp, refusing: frozenset[str]) -> None:
        self.app = app
        self.refusing = refusing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["scheme"] == "http":
            if scope["path"] not in self.refusing:
                url = URL(scope=scope).replace(scheme="https")
                await RedirectResponse(str(url), status_code=307)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
            await send(message)

        await self.app(scope, receive, send_with_hsts)


def require_https(request: Request) -> None:
    if request.url.scheme != "https":
        raise HTTPException(status_code=403, detail="HTTPS required")


security = HTTPBasic(realm="reports")


def check_scraper(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> None:
    checks = [
        hmac.compare_digest(credentials.username.encode(), REPORT_USERNAME.encode()),
        hmac.compare_digest(credentials.password.encode(), REPORT_PASSWORD.encode()),
    ]
    if not all(checks):
        raise HTTPException(
            status_code=401,
            detail="Invalid credentials",
            headers={"WWW-Authenticate": 'Basic realm="reports"'},
        )


app = FastAPI(title="Reports API")


@app.get("/")
async def index():
    return {"ok": True}


# Route dependencies run before the endpoint's own: the scheme is checked before HTTPBasic.
@app.get("/reports", dependencies=[Depends(require_https), Depends(check_scraper)])
async def reports():
    return {"reports": REPORTS}


app.add_middleware(HttpsPolicy, refusing=frozenset({"/reports"}))
app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=TRUSTED_PROXIES)
