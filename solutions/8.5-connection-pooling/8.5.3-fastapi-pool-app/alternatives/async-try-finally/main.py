"""Async routes with an explicit try/finally; one handler for every SQLAlchemyError."""

import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select
from sqlalchemy.exc import SQLAlchemyError

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
)


@asynccontextmanager
async def lifespan(app):
    engine = create_engine(
        os.environ.get("DATABASE_URL", "sqlite:///./app.db"),
        pool_size=5,
        max_overflow=0,
        pool_timeout=float(os.environ.get("POOL_TIMEOUT", "30")),
        pool_pre_ping=True,
    )
    metadata.create_all(engine)
    app.state.engine = engine
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.exception_handler(SQLAlchemyError)
async def db_down(request, exc):
    return JSONResponse({"detail": "db unavailable"}, 503, headers={"Retry-After": "5"})


@app.get("/items")
async def list_items(request: Request):
    conn = request.app.state.engine.connect()
    try:
        rows = conn.execute(select(items).order_by(items.c.id)).all()
    finally:
        conn.close()
    return [{"id": r.id, "name": r.name} for r in rows]


@app.get("/health/db")
async def health(request: Request):
    p = request.app.state.engine.pool
    return {"checked_out": p.checkedout(), "size": p.size()}
