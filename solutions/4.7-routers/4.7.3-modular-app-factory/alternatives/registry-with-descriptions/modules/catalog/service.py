"""The catalog's data and the dependency that hands it to the routes."""

from collections.abc import Iterable

from fastapi import Request
from pydantic import BaseModel, Field


class Product(BaseModel):
    sku: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1, max_length=100)
    price_cents: int = Field(ge=0)


DEFAULT_PRODUCTS = (
    Product(sku="tea", name="Green tea", price_cents=450),
    Product(sku="mug", name="Mug", price_cents=1200),
    Product(sku="teapot", name="Teapot", price_cents=3500),
)


class CatalogService:
    """The products of one app, by sku."""

    def __init__(self, products: Iterable[Product] = ()) -> None:
        self._products = {product.sku: product for product in products}

    def all(self) -> list[Product]:
        return list(self._products.values())

    def get(self, sku: str) -> Product | None:
        return self._products.get(sku)

    def add(self, product: Product) -> None:
        """Store a new product; ValueError if its sku is taken."""
        if product.sku in self._products:
            raise ValueError(f"sku {product.sku!r} exists already")
        self._products[product.sku] = product


def get_catalog_service(request: Request) -> CatalogService:
    """The CatalogService of the app serving this request (set up by `init(app)`)."""
    return request.app.state.catalog_service
