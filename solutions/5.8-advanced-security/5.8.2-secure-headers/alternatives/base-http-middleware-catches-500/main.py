"""A small shop API: a BaseHTTPMiddleware class sets the secure headers, 500 included."""

import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.middleware.base import BaseHTTPMiddleware

# ReDoc is switched off: /docs (Swagger UI) is the one documentation page.
app = FastAPI(redoc_url=None)

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_CSP = (
    "default-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'; "
    "img-src 'self' data: https://fastapi.tiangolo.com; "
    "frame-ancestors 'none'"
)


class SecurityHeadersMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next) -> Response:
        try:
            response = await call_next(request)
        except Exception:
            response = JSONResponse({"detail": "Internal server error"}, status_code=500)
        h = response.headers
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "strict-origin-when-cross-origin"
        h["Permissions-Policy"] = (
            "accelerometer=(), camera=(), geolocation=(), microphone=(), usb=()"
        )
        h["X-XSS-Protection"] = "0"
        h["Content-Security-Policy"] = DOCS_CSP if request.url.path == "/docs" else API_CSP
        if request.url.scheme == "https":
            h["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains; preload"
        if request.url.path.startswith("/auth/"):
            h["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0"
            h["Pragma"] = "no-cache"
        return response


app.add_middleware(SecurityHeadersMiddleware)


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
    # Never show the exception to the client; a real app logs it here.
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
