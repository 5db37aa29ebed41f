"""A small shop API whose every response, errors included, carries the secure headers: a strict
CSP (relaxed for the Swagger UI page only), no framing, no MIME sniffing, no referrer leaks, no
powerful browser features, HSTS over https, and no caching of anything under /auth/."""

import base64
import hashlib
import logging
import re
import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# ReDoc is switched off: /docs (Swagger UI) is the one documentation page.
app = FastAPI(redoc_url=None)


def _inline_script_hash() -> str:
    """The CSP hash of the inline <script> of FastAPI's Swagger UI page, as this app serves it."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="FastAPI - Swagger UI",
        oauth2_redirect_url="/docs/oauth2-redirect",
    ).body.decode()
    inline = re.search(r"<script>(.*?)</script>", page, re.S)
    assert inline is not None, "Swagger UI's page has no inline script"
    digest = hashlib.sha256(inline.group(1).encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


HSTS = "max-age=63072000; includeSubDomains; preload"
STRICT_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    f"default-src 'self'; script-src https://cdn.jsdelivr.net {_inline_script_hash()}; "
    "style-src https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/; "
    "img-src 'self' data: https://fastapi.tiangolo.com; base-uri 'none'; frame-ancestors 'none'"
)
ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"x-xss-protection", b"0"),
]


class SecureHeadersMiddleware:
    """Pure ASGI: every response start gets the headers; an exception that escapes the app is
    answered here with a 500 (with the headers), so no answer ever leaves without them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        extra = [
            (b"content-security-policy", (DOCS_CSP if path == "/docs" else STRICT_CSP).encode())
        ]
        if scope["scheme"] == "https":
            extra.append((b"strict-transport-security", HSTS.encode()))
        if path.startswith("/auth/"):
            extra.append((b"cache-control", b"no-store, max-age=0"))
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS + extra:
                    headers[name.decode()] = value.decode()
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise
            logging.getLogger("app").exception("unhandled error on %s", path)
            response = JSONResponse({"detail": "Internal server error"}, status_code=500)
            await response(scope, receive, send_with_headers)


app.add_middleware(SecureHeadersMiddleware)


class Item(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)


class Credentials(BaseModel):
    username: str
    password: str


class ItemNotFound(Exception):
    def __init__(self, item_id: int) -> None:
        self.item_id = item_id


ITEMS: dict[int, dict] = {1: {"id": 1, "name": "Teapot", "price": 25.0}}
DEMO_USER = ("demo", "correct horse battery staple")


def get_store() -> dict[int, dict]:
    return ITEMS


@app.exception_handler(ItemNotFound)
async def item_not_found(request: Request, exc: ItemNotFound) -> JSONResponse:
    return JSONResponse({"detail": f"Item {exc.item_id} not found"}, status_code=404)


@app.exception_handler(Exception)
async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Never show the exception to the client. (The middleware answers first: this handler is
    # reached only by errors raised outside it.)
    return JSONResponse({"detail": "Internal server error"}, status_code=500)


@app.get("/items/{item_id}")
def read_item(item_id: int, store: Annotated[dict, Depends(get_store)]) -> dict:
    if item_id not in store:
        raise ItemNotFound(item_id)
    return store[item_id]


@app.post("/items", status_code=status.HTTP_201_CREATED)
def create_item(item: Item, store: Annotated[dict, Depends(get_store)]) -> dict:
    item_id = max(store, default=0) + 1
    store[item_id] = {"id": item_id, **item.model_dump()}
    return store[item_id]


@app.get("/authors")
def list_authors() -> list[dict]:
    return [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}]


@app.post("/auth/token")
def issue_token(credentials: Credentials) -> dict:
    username_ok = secrets.compare_digest(credentials.username.encode(), DEMO_USER[0].encode())
    password_ok = secrets.compare_digest(credentials.password.encode(), DEMO_USER[1].encode())
    if not (username_ok and password_ok):
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Bad credentials")
    return {"access_token": secrets.token_urlsafe(32), "token_type": "bearer"}
