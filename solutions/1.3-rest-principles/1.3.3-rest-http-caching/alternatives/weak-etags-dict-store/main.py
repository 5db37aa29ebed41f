# ALTERNATIVE: weak ETags (W/"md5"), plain dicts, If-None-Match split by hand, JSONResponse
import hashlib
import json
from datetime import UTC, datetime
from email.utils import format_datetime
from enum import Enum
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

app = FastAPI(title="Products: REST and HTTP caching")

DB_READS = 0


class ProductIn(BaseModel):
    name: Annotated[str, Field(min_length=1)]
    price: Annotated[float, Field(gt=0)]


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


def validators(stored: Stored) -> dict[str, str]:
    body = json.dumps(stored.product.model_dump(), sort_keys=True).encode()
    return {
        "ETag": f'W/"{hashlib.md5(body).hexdigest()}"',
        "Cache-Control": "max-age=300, public",
        "Last-Modified": format_datetime(stored.modified, usegmt=True),
    }


def fresh(if_none_match: str | None, etag: str) -> bool:
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


@app.get("/products/{product_id}")
def get_product(product_id: int, if_none_match: Annotated[str | None, Header()] = None):
    stored = load(product_id)
    if stored is None:
        raise HTTPException(404, "no such product")
    headers = validators(stored)
    if fresh(if_none_match, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return JSONResponse(stored.product.model_dump(), headers=headers)


@app.put("/products/{product_id}")
def put_product(product_id: int, body: ProductIn) -> Product:
    if product_id not in _store:
        raise HTTPException(404, "no such product")
    product = Product(id=product_id, **body.model_dump())
    _store[product_id] = Stored(product=product, modified=_now())
    return product


class Selectable(str, Enum):
    id = "id"
    name = "name"
    price = "price"


class Query(BaseModel):
    id: int
    fields: list[Selectable] = [Selectable.id, Selectable.name, Selectable.price]


@app.post("/query")
def query(body: Query):
    stored = load(body.id)
    product = None
    if stored is not None:
        data = stored.product.model_dump()
        product = {f.value: data[f.value] for f in body.fields}
    return JSONResponse({"data": {"product": product}}, headers={"Cache-Control": "no-store"})
