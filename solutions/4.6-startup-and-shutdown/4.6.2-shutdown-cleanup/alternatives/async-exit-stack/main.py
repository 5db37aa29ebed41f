import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Request
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import StaticPool

UPSTREAM_URL = "https://prices.example.com"
DEFAULT_AUDIT_PATH = "audit.log"


def make_engine() -> Engine:
    """The app's database engine, for DATABASE_URL (default: an in-memory database)."""
    url = os.environ.get("DATABASE_URL", "sqlite://")
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url)
    options: dict = {"connect_args": {"check_same_thread": False}}
    if make_url(url).database in (None, "", ":memory:"):
        options["poolclass"] = StaticPool
    return create_engine(url, **options)


def make_http_client() -> httpx.AsyncClient:
    """The client for the price service, shared by every request."""
    return httpx.AsyncClient(base_url=UPSTREAM_URL, timeout=5.0)


class AuditBuffer:
    """Keeps audit lines in memory; `flush()` appends them to the file at `path`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise FileNotFoundError(f"the folder of the audit log does not exist: {self.path}")
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        self.lines.append(line)

    def flush(self) -> None:
        """Append the buffered lines to the file, then forget them."""
        with self.path.open("a", encoding="utf-8") as file:
            file.writelines(f"{line}\n" for line in self.lines)
        self.lines.clear()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The stack undoes what was registered last first: flush, then close, then dispose. It runs
    # every callback even when one raises, and also when startup fails half-way.
    async with AsyncExitStack() as stack:
        app.state.engine = make_engine()
        stack.callback(app.state.engine.dispose)
        app.state.http = await stack.enter_async_context(make_http_client())
        app.state.audit = AuditBuffer(os.getenv("AUDIT_PATH") or DEFAULT_AUDIT_PATH)
        stack.callback(app.state.audit.flush)
        yield


app = FastAPI(lifespan=lifespan)


def get_http(request: Request) -> httpx.AsyncClient:
    return request.app.state.http


def get_audit(request: Request) -> AuditBuffer:
    return request.app.state.audit


@app.get("/prices/{symbol}")
async def get_price(
    symbol: str,
    http: Annotated[httpx.AsyncClient, Depends(get_http)],
    audit: Annotated[AuditBuffer, Depends(get_audit)],
) -> dict[str, Any]:
    audit.add(f"price {symbol}")
    response = await http.get(f"/prices/{symbol}")
    response.raise_for_status()
    return response.json()


@app.get("/health")
def health(request: Request) -> dict[str, str]:
    with request.app.state.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"database": "ok"}
