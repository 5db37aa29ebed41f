"""ORM sessions from a sessionmaker on app.state; a middleware turns database failures into 503."""

import os
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.engine = create_engine(
        os.getenv("DATABASE_URL", "sqlite:///./app.db"),
        pool_size=5,
        max_overflow=0,
        pool_timeout=float(os.getenv("POOL_TIMEOUT", "30")),
        pool_pre_ping=True,
    )
    app.state.sessions = sessionmaker(app.state.engine)
    metadata.create_all(app.state.engine)
    yield
    app.state.engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.middleware("http")
async def unavailable_is_503(request: Request, call_next):
    try:
        return await call_next(request)
    except (sa_exc.TimeoutError, sa_exc.OperationalError):
        return JSONResponse(
            status_code=503, content={"detail": "database busy"}, headers={"Retry-After": "2"}
        )


def get_session(request: Request):
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.close()


@app.get("/items")
def list_items(session: Session = Depends(get_session)):
    rows = session.execute(select(items).order_by(items.c.id)).mappings().all()
    return [dict(row) for row in rows]


@app.get("/health/db")
async def health_db(request: Request):
    pool = request.app.state.engine.pool
    return {"size": pool.size(), "checked_out": pool.checkedout()}
