"""The cart module: prices a list of items with the catalog's prices."""

from .routes import router

__all__ = ["router"]
