from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool, QueuePool

DATABASE_URL = "sqlite:///./shop.db"

metadata = MetaData()
products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("price", Float, nullable=False),
)


def make_engine(url: str, pooled: bool) -> Engine:
    if not pooled:
        return create_engine(url, poolclass=NullPool)
    return create_engine(
        url,
        poolclass=QueuePool,
        pool_size=5,
        max_overflow=5,
        connect_args={"check_same_thread": False},
    )


def count_connects(engine: Engine) -> Callable[[], int]:
    hits = []
    event.listen(engine, "connect", lambda dbapi_conn, record: hits.append(1))
    return lambda: len(hits)


def get_connection(request: Request) -> Iterator[Connection]:
    with request.app.state.engine.begin() as conn:
        yield conn


router = APIRouter()


@router.get("/products/{product_id}")
def read_product(product_id: int, conn: Annotated[Connection, Depends(get_connection)]) -> dict:
    row = conn.execute(select(products).where(products.c.id == product_id)).mappings().first()
    if row is None:
        raise HTTPException(status_code=404, detail="Product not found")
    return dict(row)


@router.get("/client-id")
def client_id(request: Request) -> dict:
    return {"id": id(request.app.state.http_client)}


def create_app(database_url: str = DATABASE_URL, pooled: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(database_url, pooled)
        metadata.create_all(app.state.engine)
        app.state.http_client = httpx.AsyncClient()
        yield
        await app.state.http_client.aclose()
        app.state.engine.dispose()

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    return app


app = create_app()
