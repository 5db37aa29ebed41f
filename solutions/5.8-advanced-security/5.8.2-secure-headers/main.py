"""A small shop API whose every response, errors included, carries the secure headers: a strict
CSP (relaxed for the Swagger UI page only), no framing, no MIME sniffing, no referrer leaks, no
powerful browser features, HSTS over https, and no caching of anything under /auth/."""

import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

# ReDoc is switched off: /docs (Swagger UI) is the one documentation page.
app = FastAPI(redoc_url=None)

HSTS = "max-age=31536000; includeSubDomains"
STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI loads its script and stylesheet from jsdelivr, runs one inline script, shows the
# FastAPI favicon and fetches /openapi.json from this same origin.
DOCS_CSP = (
    "default-src 'none'; "
    "script-src https://cdn.jsdelivr.net 'unsafe-inline'; "
    "style-src https://cdn.jsdelivr.net 'unsafe-inline'; "
    "img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; "
    "frame-ancestors 'none'"
)
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def secure(request: Request, response: Response) -> Response:
    """Set every secure header on `response` (replacing any earlier value, never adding twice)."""
    for name, value in ALWAYS.items():
        response.headers[name] = value
    path = request.url.path
    response.headers["Content-Security-Policy"] = DOCS_CSP if path == "/docs" else STRICT_CSP
    if request.url.scheme == "https":
        response.headers["Strict-Transport-Security"] = HSTS
    if path.startswith("/auth/"):
        response.headers["Cache-Control"] = "no-store"
    return response


@app.middleware("http")
async def security_headers(request: Request, call_next):
    # FastAPI's own 404, 405 and 422 answers and those of the exception handlers for specific
    # exceptions all come back through call_next. An unhandled exception does not: it goes on up
    # to the Exception handler below, which runs outside every middleware.
    return secure(request, await call_next(request))


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
    # Never show the exception to the client; a real app logs it here. This handler runs in
    # Starlette's ServerErrorMiddleware, outside the middleware above: it sets the headers itself.
    return secure(request, JSONResponse({"detail": "Internal server error"}, status_code=500))


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
