import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

import redis
from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = "sqlite:///./shop.db"
REDIS_URL = "redis://localhost:6379/0"

engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)
# Creating the client opens no connection: it connects on its first command.
redis_client = redis.Redis.from_url(REDIS_URL, decode_responses=True)


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[float]


class ProductIn(BaseModel):
    name: str
    price: float


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    price: float


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


def get_redis() -> redis.Redis:
    return redis_client


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    with SessionLocal() as session:  # two products to try it with
        if session.get(Product, 1) is None:
            session.add_all(
                [Product(id=1, name="Kettle", price=25.0), Product(id=2, name="Teapot", price=12.5)]
            )
            session.commit()
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)

DbSession = Annotated[Session, Depends(get_db)]
Cache = Annotated[redis.Redis, Depends(get_redis)]


class CacheDown(Exception):
    """Redis could not be reached."""


class ProductCache:
    """Cache-aside helpers over one Redis client: every Redis error becomes CacheDown."""

    ttl_seconds = 60

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    @staticmethod
    def key(product_id: int) -> str:
        return f"product:{product_id}"

    def read(self, product_id: int) -> dict | None:
        try:
            raw = self.client.get(self.key(product_id))
        except redis.RedisError as exc:
            raise CacheDown from exc
        return None if raw is None else json.loads(raw)

    def write(self, body: dict) -> None:
        try:
            self.client.setex(self.key(body["id"]), self.ttl_seconds, json.dumps(body))
        except redis.RedisError as exc:
            raise CacheDown from exc

    def forget(self, product_id: int) -> None:
        try:
            self.client.delete(self.key(product_id))
        except redis.RedisError as exc:
            raise CacheDown from exc


def product_cache(client: Cache) -> ProductCache:
    return ProductCache(client)


Products = Annotated[ProductCache, Depends(product_cache)]


def product_body(db: Session, product_id: int) -> dict:
    product = db.scalars(select(Product).where(Product.id == product_id)).one_or_none()
    if product is None:
        raise HTTPException(status_code=404, detail="Product not found")
    return {"id": product.id, "name": product.name, "price": product.price}


@app.get("/products/{product_id}", response_model=ProductOut)
def read_product(product_id: int, db: DbSession, products: Products) -> JSONResponse:
    try:
        cached = products.read(product_id)
    except CacheDown:
        return JSONResponse(product_body(db, product_id), headers={"X-Cache": "BYPASS"})
    if cached is not None:
        return JSONResponse(cached, headers={"X-Cache": "HIT"})
    body = product_body(db, product_id)
    label = "MISS"
    try:
        products.write(body)
    except CacheDown:
        label = "BYPASS"
    return JSONResponse(body, headers={"X-Cache": label})


@app.put("/products/{product_id}", response_model=ProductOut)
def update_product(product_id: int, payload: ProductIn, db: DbSession, products: Products):
    product = db.get(Product, product_id)
    if product is None:
        raise HTTPException(status_code=404, detail="Product not found")
    product.name = payload.name
    product.price = payload.price
    db.commit()
    try:
        products.forget(product_id)
    except CacheDown:
        pass
    return product
