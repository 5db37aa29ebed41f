from datetime import UTC, datetime
from typing import Annotated

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Products: REST and HTTP caching")

DB_READS = 0  # how many times a handler loaded a product from the store


class ProductIn(BaseModel):
    name: Annotated[str, Field(min_length=1)]
    price: Annotated[float, Field(gt=0)]


class Product(ProductIn):
    id: int


class Stored(BaseModel):
    product: Product
    modified: datetime  # when the product last changed (UTC, whole seconds)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


_store: dict[int, Stored] = {
    pid: Stored(product=Product(id=pid, name=name, price=price), modified=_now())
    for pid, name, price in [
        (1, "Espresso cup", 8.5),
        (2, "Pour-over kettle", 39.0),
        (3, "Burr grinder", 120.0),
    ]
}


def load(product_id: int) -> Stored | None:
    """Read a product from the "database" (None if there is none); counts DB_READS."""
    global DB_READS
    DB_READS += 1
    return _store.get(product_id)


# TODO: Task 1 - GET /products/{product_id}: the product with Cache-Control: public, max-age=300,
#       a quoted ETag computed from the product's content, and Last-Modified; 404 (no ETag)
#       when missing.


# TODO: Task 2 - If-None-Match (one ETag, a list, W/ weak tags, or *) matching the current
#       ETag -> 304 with no body, repeating ETag and Cache-Control.


# TODO: Task 3 - PUT /products/{product_id} replaces name and price (store a new Stored with
#       modified=_now()); 404 when missing.


# TODO: Task 4 - POST /query {"id": int, "fields": [...]} -> {"data": {"product": {...}}}
#       with Cache-Control: no-store.
