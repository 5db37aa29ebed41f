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
CACHE_TTL = 60  # seconds

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


def cache_key(product_id: int) -> str:
    return f"product:{product_id}"


def load_product(db: Session, product_id: int) -> ProductOut:
    product = db.get(Product, product_id)
    if product is None:
        raise HTTPException(status_code=404, detail="Product not found")
    return ProductOut.model_validate(product)


@app.get("/products/{product_id}", response_model=ProductOut)
def read_product(product_id: int, response: Response, db: DbSession, cache: Cache):
    key = cache_key(product_id)
    try:
        cached = cache.get(key)
    except redis.exceptions.ConnectionError:
        # Redis is down: the database still answers, only slower.
        product = load_product(db, product_id)
        response.headers["X-Cache"] = "BYPASS"
        return product
    if cached is not None:
        response.headers["X-Cache"] = "HIT"
        return json.loads(cached)
    product = load_product(db, product_id)  # a 404 raises here: nothing is cached
    try:
        cache.set(key, product.model_dump_json(), ex=CACHE_TTL)
    except redis.exceptions.ConnectionError:
        response.headers["X-Cache"] = "BYPASS"
        return product
    response.headers["X-Cache"] = "MISS"
    return product


@app.put("/products/{product_id}", response_model=ProductOut)
def update_product(product_id: int, payload: ProductIn, db: DbSession, cache: Cache):
    product = db.get(Product, product_id)
    if product is None:
        raise HTTPException(status_code=404, detail="Product not found")
    product.name = payload.name
    product.price = payload.price
    db.commit()
    # Only after the commit: deleting first would let a GET running in between cache the
    # old row again, for a whole TTL.
    try:
        cache.delete(cache_key(product_id))
    except redis.exceptions.ConnectionError:
        pass  # the update is committed; a stale entry expires within CACHE_TTL
    return product
