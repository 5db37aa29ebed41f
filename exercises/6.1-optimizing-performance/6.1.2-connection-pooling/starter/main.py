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
    select,
)

DATABASE_URL = "sqlite:///./shop.db"

metadata = MetaData()
products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("price", Float, nullable=False),
)


# TODO: Task 1 - pooled=True: a QueuePool with pool_size=5 and max_overflow=5;
#       pooled=False: a NullPool (from sqlalchemy.pool)
def make_engine(url: str, pooled: bool) -> Engine:
    raise NotImplementedError


# TODO: Task 2 - listen to the engine's "connect" event and return a function that answers how
#       many DBAPI connections the engine has opened since count_connects was called
def count_connects(engine: Engine) -> Callable[[], int]:
    raise NotImplementedError


router = APIRouter()


# TODO: Task 3 - this handler builds an engine (and so a new, empty pool) on every request:
#       use the app's one engine, request.app.state.engine, instead
@router.get("/products/{product_id}")
def read_product(product_id: int, request: Request) -> dict:
    engine = create_engine(request.app.state.database_url)
    with engine.connect() as conn:
        row = conn.execute(select(products).where(products.c.id == product_id)).first()
    engine.dispose()
    if row is None:
        raise HTTPException(status_code=404, detail="Product not found")
    return dict(row._mapping)


# TODO: Task 4 - this opens a new client (a new pool of HTTP connections) on every request:
#       answer the id of the app's one client, request.app.state.http_client, instead
@router.get("/client-id")
async def client_id(request: Request) -> dict:
    async with httpx.AsyncClient() as client:
        return {"id": id(client)}


def create_app(database_url: str = DATABASE_URL, pooled: bool = True) -> FastAPI:
    # TODO: Task 3 - at startup, app.state.engine = make_engine(database_url, pooled) and the
    #       tables on it; at shutdown, dispose of it
    # TODO: Task 4 - open one httpx.AsyncClient as app.state.http_client; close it at shutdown
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.database_url = database_url
        engine = create_engine(database_url)
        metadata.create_all(engine)
        engine.dispose()
        yield

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    return app


app = create_app()
