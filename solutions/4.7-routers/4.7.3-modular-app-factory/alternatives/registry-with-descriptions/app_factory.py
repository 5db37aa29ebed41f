"""Build an app from the feature modules it should have."""

from collections.abc import Iterable

import modules.cart
import modules.catalog
from fastapi import FastAPI

REGISTRY = {
    "catalog": (modules.catalog, "Products and their prices."),
    "cart": (modules.cart, "Quotes for a basket of items."),
}


def create_app(modules: Iterable[str] = ("catalog", "cart")) -> FastAPI:
    selected = []
    for name in modules:
        if name not in REGISTRY:
            raise ValueError(f"Unknown module: {name}")
        selected.append((name, *REGISTRY[name]))
    app = FastAPI(
        title="Shop",
        openapi_tags=[{"name": name, "description": text} for name, _, text in selected],
    )
    for _name, module, _text in selected:
        app.include_router(module.router)
        if hasattr(module, "init"):
            module.init(app)
    return app
