"""A FastAPI app whose engine, and pool, live in the lifespan."""

import os
from collections.abc import Iterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, create_engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
)


@asynccontextmanager
async def lifespan(app: FastAPI):
    url = os.environ.get("DATABASE_URL", "sqlite:///./app.db")
    timeout = float(os.environ.get("POOL_TIMEOUT", "30"))
    engine = create_engine(
        url, pool_size=5, max_overflow=0, pool_timeout=timeout, pool_pre_ping=True
    )
    metadata.create_all(engine)
    app.state.engine = engine
    try:
        yield
    finally:
        engine.dispose()


app = FastAPI(lifespan=lifespan)


def get_conn(request: Request) -> Iterator[Connection]:
    with request.app.state.engine.connect() as conn:
        yield conn


@app.exception_handler(PoolTimeoutError)
@app.exception_handler(OperationalError)
async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"detail": "database unavailable, try again"},
        status_code=503,
        headers={"Retry-After": "1"},
    )


@app.get("/items")
def list_items(conn: Connection = Depends(get_conn)) -> list[dict]:
    rows = conn.execute(select(items.c.id, items.c.name).order_by(items.c.id))
    return [{"id": row.id, "name": row.name} for row in rows]


@app.get("/health/db")
def health_db(request: Request) -> dict:
    pool = request.app.state.engine.pool
    return {"checked_out": pool.checkedout(), "size": pool.size()}
