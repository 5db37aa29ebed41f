from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import APIRouter, FastAPI, HTTPException, Request
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
from sqlalchemy.pool import NullPool

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
    if pooled:
        # QueuePool (the default for a file database): keeps up to 5 connections open for
        # reuse, and opens up to 5 more when all of them are busy.
        return create_engine(url, pool_size=5, max_overflow=5)
    # NullPool: a new DBAPI connection for every checkout, closed again at check-in.
    return create_engine(url, poolclass=NullPool)


def count_connects(engine: Engine) -> Callable[[], int]:
    opened = 0

    def on_connect(dbapi_connection, connection_record) -> None:
        nonlocal opened
        opened += 1

    event.listen(engine, "connect", on_connect)
    return lambda: opened


router = APIRouter()


@router.get("/products/{product_id}")
def read_product(product_id: int, request: Request) -> dict:
    engine: Engine = request.app.state.engine
    with engine.connect() as conn:  # checked out here, back in the pool at the end of the block
        row = conn.execute(select(products).where(products.c.id == product_id)).first()
    if row is None:
        raise HTTPException(status_code=404, detail="Product not found")
    return dict(row._mapping)


@router.get("/client-id")
async def client_id(request: Request) -> dict:
    return {"id": id(request.app.state.http_client)}


def create_app(database_url: str = DATABASE_URL, pooled: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(database_url, pooled)
        metadata.create_all(engine)
        app.state.engine = engine
        try:
            async with httpx.AsyncClient() as client:  # one client, one pool of HTTP connections
                app.state.http_client = client
                yield
        finally:
            engine.dispose()  # closes the connections the pool keeps open

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    return app


app = create_app()
