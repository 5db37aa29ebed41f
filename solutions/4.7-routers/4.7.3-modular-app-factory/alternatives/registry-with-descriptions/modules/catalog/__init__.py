"""The catalog module: products and their prices.

Other modules may use what is imported here, and nothing else of the package."""

from fastapi import FastAPI

from .routes import router
from .service import DEFAULT_PRODUCTS, CatalogService, Product, get_catalog_service

TAG = {"name": "catalog", "description": "Products and their prices."}


def init(app: FastAPI) -> None:
    """Give the app its own catalog, filled with the default products."""
    app.state.catalog_service = CatalogService(list(DEFAULT_PRODUCTS))


__all__ = [
    "DEFAULT_PRODUCTS",
    "TAG",
    "CatalogService",
    "Product",
    "get_catalog_service",
    "init",
    "router",
]
