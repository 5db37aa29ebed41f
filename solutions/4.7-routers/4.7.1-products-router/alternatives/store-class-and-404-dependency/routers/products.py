"""Products: a small store object and a router whose 404 comes from a dependency."""

import itertools
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, Field


class ProductIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)


class Product(ProductIn):
    id: int


class ProductStore:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.items: dict[int, Product] = {}
        self.ids = itertools.count(1)

    def add(self, data: ProductIn) -> Product:
        product = Product(id=next(self.ids), **data.model_dump())
        self.items[product.id] = product
        return product


store = ProductStore()


def reset() -> None:
    store.reset()


def existing_product(product_id: int) -> Product:
    try:
        return store.items[product_id]
    except KeyError:
        raise HTTPException(404, "Product not found") from None


Existing = Annotated[Product, Depends(existing_product)]

router = APIRouter(
    prefix="/products", tags=["products"], responses={404: {"description": "Not found"}}
)


@router.get("/")
async def list_products() -> list[Product]:
    return sorted(store.items.values(), key=lambda p: p.id)


@router.post("/", status_code=201)
async def create_product(data: ProductIn) -> Product:
    return store.add(data)


@router.get("/{product_id}")
async def read_product(product: Existing) -> Product:
    return product


@router.put("/{product_id}")
async def replace_product(product: Existing, data: ProductIn) -> Product:
    updated = product.model_copy(update=data.model_dump())
    store.items[product.id] = updated
    return updated


@router.delete("/{product_id}")
async def delete_product(product: Existing) -> Response:
    del store.items[product.id]
    return Response(status_code=204)
