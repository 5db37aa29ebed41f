"""The cart module: prices a list of items with the catalog's prices. It keeps no state of its
own, so it has no init()."""

from .routes import router

TAG = {"name": "cart", "description": "Quotes for a list of items."}

__all__ = ["TAG", "router"]
