"""Everything about products: the models, the in-memory store and the router."""

from fastapi import APIRouter
from pydantic import BaseModel, Field


class ProductIn(BaseModel):
    """The body of POST and PUT."""

    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)


class Product(ProductIn):
    """A stored product, as the routes answer it."""

    id: int


# TODO: Task 2 - keep the products in memory here: a dict id -> Product, and the last id given


def reset() -> None:
    """Empty the store and start the ids at 1 again."""
    # TODO: Task 2


# TODO: Task 1 - the prefix /products, the tag "products" and the shared response
#       404: {"description": "Not found"} belong to the router itself
router = APIRouter()


# TODO: Task 2 - the five routes, declared on router (@router.get, @router.post, ...):
#       POST / (201), GET /, GET /{product_id}, PUT /{product_id}, DELETE /{product_id} (204),
#       and 404 {"detail": "Product not found"} for an id that no product has
