import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

import redis
from fastapi import Depends, FastAPI, HTTPException, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, create_engine
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
Cache = Annotated[redis.Redis, Depends(get_redis)]  # use it: cache: Cache


TTL = 60


def _key(product_id: int) -> str:
    return f"product:{product_id}"


@app.get("/products/{product_id}", response_model=ProductOut)
async def read_product(product_id: int, response: Response, db: DbSession, cache: Cache):
    status = "MISS"
    try:
        hit = cache.get(_key(product_id))
    except redis.RedisError:
        hit = None
        status = "BYPASS"
    if hit:
        response.headers["X-Cache"] = "HIT"
        return ProductOut.model_validate_json(hit)
    product = db.get(Product, product_id)
    if product is None:
        raise HTTPException(status_code=404, detail="Product not found")
    data = ProductOut.model_validate(product)
    if status == "MISS":
        try:
            cache.setex(_key(product_id), TTL, json.dumps(data.model_dump()))
        except redis.RedisError:
            status = "BYPASS"
    response.headers["X-Cache"] = status
    return data


@app.put("/products/{product_id}", response_model=ProductOut)
async def update_product(product_id: int, payload: ProductIn, db: DbSession, cache: Cache):
    product = db.get(Product, product_id)
    if product is None:
        raise HTTPException(status_code=404, detail="Product not found")
    product.name = payload.name
    product.price = payload.price
    db.commit()
    db.refresh(product)
    try:
        cache.delete(_key(product_id))
    except redis.RedisError:
        pass
    return product
