"""Everything about products: the models, the in-memory store and the router."""

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field


class ProductIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)


class Product(ProductIn):
    id: int


_products: dict[int, Product] = {}
_last_id = 0


def reset() -> None:
    """Empty the store and start the ids at 1 again."""
    global _last_id
    _products.clear()
    _last_id = 0


def _new_id() -> int:
    global _last_id
    _last_id += 1
    return _last_id


def _find(product_id: int) -> Product:
    product = _products.get(product_id)
    if product is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Product not found")
    return product


router = APIRouter(
    prefix="/products",
    tags=["products"],
    responses={404: {"description": "Not found"}},
)


@router.get("/", response_model=list[Product])
def list_products() -> list[Product]:
    return list(_products.values())


@router.post("/", response_model=Product, status_code=status.HTTP_201_CREATED)
def create_product(payload: ProductIn) -> Product:
    product = Product(id=_new_id(), **payload.model_dump())
    _products[product.id] = product
    return product


@router.get("/{product_id}", response_model=Product)
def read_product(product_id: int) -> Product:
    return _find(product_id)


@router.put("/{product_id}", response_model=Product)
def replace_product(product_id: int, payload: ProductIn) -> Product:
    _find(product_id)
    product = Product(id=product_id, **payload.model_dump())
    _products[product_id] = product
    return product


@router.delete("/{product_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_product(product_id: int) -> None:
    _find(product_id)
    del _products[product_id]
