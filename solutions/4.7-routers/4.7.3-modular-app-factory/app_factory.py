"""Build an app from the feature modules it should have."""

from collections.abc import Iterable

from fastapi import FastAPI
from modules import cart, catalog

AVAILABLE = {"catalog": catalog, "cart": cart}


def create_app(modules: Iterable[str] = ("catalog", "cart")) -> FastAPI:
    names = list(modules)
    unknown = [name for name in names if name not in AVAILABLE]
    if unknown:
        raise ValueError(f"unknown module(s): {', '.join(map(repr, unknown))}")
    enabled = [AVAILABLE[name] for name in names]
    app = FastAPI(title="Shop", openapi_tags=[module.TAG for module in enabled])
    for module in enabled:
        app.include_router(module.router)
        init = getattr(module, "init", None)
        if init is not None:
            init(app)
    return app
