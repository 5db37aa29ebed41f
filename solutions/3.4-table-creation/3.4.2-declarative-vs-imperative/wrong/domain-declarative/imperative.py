# WRONG: ImpBook is a declarative model inside domain.py, so the domain depends on SQLAlchemy.
"""Imperative: the table is described on its own, then mapped onto the plain domain class."""

from domain import ImpBook

mapper_registry = ImpBook.registry
books_table = ImpBook.__table__
