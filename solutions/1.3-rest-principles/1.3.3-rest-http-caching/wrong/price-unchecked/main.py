# WRONG: accepts a price of zero or less.
import hashlib
import re
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated, Literal

from fastapi import FastAPI, Header, HTTPException, Response, status
from pydantic import BaseModel, Field

CACHEABLE = "public, max-age=300"

app = FastAPI(title="Products: REST and HTTP caching")

DB_READS = 0  # how many times a handler loaded a product from the store


class ProductIn(BaseModel):
    name: Annotated[str, Field(min_length=1)]
    price: float


class Product(ProductIn):
    id: int


class Stored(BaseModel):
    product: Product
    modified: datetime


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
    global DB_READS
    DB_READS += 1
    return _store.get(product_id)


def etag_of(product: Product) -> str:
    """A strong validator computed from the representation itself, quoted as HTTP requires."""
    return '"' + hashlib.sha256(product.model_dump_json().encode()).hexdigest()[:32] + '"'


def _opaque(tag: str) -> str:
    return tag.strip().removeprefix("W/")


def none_match(if_none_match: str, etag: str) -> bool:
    """True when If-None-Match names the current representation (weak comparison)."""
    if if_none_match.strip() == "*":
        return True
    tags = re.findall(r'(?:W/)?"[^"]*"', if_none_match)
    return _opaque(etag) in {_opaque(tag) for tag in tags}


def not_found(product_id: int) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"product {product_id} not found")


@app.get("/products/{product_id}", response_model=Product)
def read_product(
    product_id: int,
    response: Response,
    if_none_match: Annotated[str | None, Header()] = None,
):
    stored = load(product_id)
    if stored is None:
        raise not_found(product_id)  # no validator for something that does not exist
    etag = etag_of(stored.product)
    headers = {
        "ETag": etag,
        "Cache-Control": CACHEABLE,
        "Last-Modified": format_datetime(stored.modified, usegmt=True),
    }
    if if_none_match is not None and none_match(if_none_match, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    response.headers.update(headers)
    return stored.product


@app.put("/products/{product_id}", response_model=Product)
def replace_product(product_id: int, body: ProductIn) -> Product:
    if product_id not in _store:
        raise not_found(product_id)
    product = Product(id=product_id, **body.model_dump())
    _store[product_id] = Stored(product=product, modified=_now())
    return product


class ProductQuery(BaseModel):
    """A single-endpoint read in the style of GraphQL: the client picks the fields."""

    id: int
    fields: Annotated[list[Literal["id", "name", "price"]], Field(min_length=1)] = [
        "id",
        "name",
        "price",
    ]


@app.post("/query")
def query(body: ProductQuery, response: Response) -> dict:
    # The same data as GET /products/{id}, but a POST to one URL: no shared cache can key it.
    response.headers["Cache-Control"] = "no-store"
    stored = load(body.id)
    if stored is None:
        return {"data": {"product": None}}
    return {"data": {"product": stored.product.model_dump(include=set(body.fields))}}
