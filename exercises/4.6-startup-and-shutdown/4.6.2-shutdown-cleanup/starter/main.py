import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any  # noqa: F401

import httpx
from fastapi import FastAPI, Request  # noqa: F401
from sqlalchemy import Engine, create_engine, make_url, text  # noqa: F401
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


# TODO: Task 1 - open, when the app starts: the engine (make_engine()), the HTTP client
#       (make_http_client()) and an AuditBuffer for AUDIT_PATH (default DEFAULT_AUDIT_PATH), as
#       app.state.engine, app.state.http and app.state.audit.
# TODO: Task 2 - when the app stops: audit.flush(), then `await http.aclose()`, then
#       engine.dispose().
# TODO: Task 3 - every cleanup step runs whatever happens: a failed request, a cancelled
#       lifespan, a cleanup step that raises, a startup that fails half-way.
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield


app = FastAPI(lifespan=lifespan)


# TODO: Task 1 - GET /prices/{symbol}: add the audit line "price <symbol>", then ask the price
#       service (GET /prices/<symbol>) with the shared client, and answer its JSON.


# TODO: Task 1 - GET /health: run SELECT 1 on app.state.engine, answer {"database": "ok"}.
