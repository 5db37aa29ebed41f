"""Imperative: the table is described on its own, then mapped onto the plain domain class."""

from sqlalchemy import Column, Integer, String, Table
from sqlalchemy.orm import registry

from domain import ImpBook

mapper_registry = registry()

# TODO: Task 3 - books_table = Table("books", mapper_registry.metadata, ...) with the same
#   columns as DeclBook, then map the plain class onto it:
#   mapper_registry.map_imperatively(ImpBook, books_table)
