"""The catalog: products and prices. Public: router, init, get_catalog_service,
CatalogService, Product."""

from .routes import router
from .service import DEFAULT_PRODUCTS, CatalogService, Product, get_catalog_service


def init(app) -> None:
    services = getattr(app.state, "services", None)
    if services is None:
        services = app.state.services = {}
    services["catalog"] = CatalogService(p.model_copy() for p in DEFAULT_PRODUCTS)


__all__ = ["CatalogService", "Product", "get_catalog_service", "init", "router"]
