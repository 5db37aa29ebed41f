"""Routers of the shop."""

from . import products

__all__ = ["products"]
