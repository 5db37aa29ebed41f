"""The shop's app factory: features are looked up by name, from an allow-list."""

import importlib

from fastapi import FastAPI

FEATURES = {
    "catalog": "Browse the products and their prices.",
    "cart": "Price a list of items.",
}


def create_app(modules=("catalog", "cart")):
    wanted = list(modules)
    for name in wanted:
        if name not in FEATURES:
            raise ValueError(f"no such module: {name!r} (known: {', '.join(FEATURES)})")
    app = FastAPI()
    app.openapi_tags = [{"name": name, "description": FEATURES[name]} for name in wanted]
    for name in wanted:
        feature = importlib.import_module(f"modules.{name}")
        app.include_router(feature.router)
        if hasattr(feature, "init"):
            feature.init(app)
    return app
