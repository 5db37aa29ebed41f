from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, HTTPException, Request
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
from sqlalchemy.orm import Session
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
    pool_options = (
        {"poolclass": QueuePool, "pool_size": 5, "max_overflow": 5}
        if pooled
        else {"poolclass": NullPool}
    )
    return create_engine(url, **pool_options)


class ConnectCounter:
    """Counts the DBAPI connections one engine opens from the moment it is created."""

    def __init__(self, engine: Engine) -> None:
        self.opened = 0
        event.listen(engine, "connect", self.on_connect)

    def on_connect(self, dbapi_connection, connection_record) -> None:
        self.opened += 1

    def __call__(self) -> int:
        return self.opened


def count_connects(engine: Engine) -> Callable[[], int]:
    return ConnectCounter(engine)


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def create_app(database_url: str = DATABASE_URL, pooled: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(database_url, pooled)
        metadata.create_all(app.state.engine)
        app.state.http_client = httpx.AsyncClient(timeout=10)
        try:
            yield
        finally:
            await app.state.http_client.aclose()
            app.state.engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/products/{product_id}")
    def read_product(product_id: int, session: Annotated[Session, Depends(get_session)]):
        row = session.execute(select(products).where(products.c.id == product_id)).first()
        if row is None:
            raise HTTPException(status_code=404, detail="Product not found")
        return {"id": row.id, "name": row.name, "price": row.price}

    @app.get("/client-id")
    async def client_id(request: Request):
        return {"id": id(request.app.state.http_client)}

    return app


app = create_app()
