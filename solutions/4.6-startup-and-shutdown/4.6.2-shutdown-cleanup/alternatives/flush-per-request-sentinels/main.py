import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
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
    engine = make_engine()
    http: httpx.AsyncClient | None = None
    audit: AuditBuffer | None = None
    try:
        http = make_http_client()
        audit = AuditBuffer(os.environ.get("AUDIT_PATH", DEFAULT_AUDIT_PATH))
        app.state.engine, app.state.http, app.state.audit = engine, http, audit
        yield
    finally:
        try:
            if audit is not None:
                audit.flush()
        finally:
            try:
                if http is not None:
                    await http.aclose()
            finally:
                engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/prices/{symbol}")
async def price(symbol: str, request: Request) -> Any:
    request.app.state.audit.add(f"price {symbol}")
    request.app.state.audit.flush()  # write it right away; the lifespan flushes the rest
    r = await request.app.state.http.get(f"/prices/{symbol}")
    r.raise_for_status()
    return r.json()


@app.get("/health")
def health(request: Request) -> dict:
    with request.app.state.engine.begin() as conn:
        conn.execute(text("SELECT 1"))
    return {"database": "ok"}
