# WRONG: uses the classical mapper() function, removed in SQLAlchemy 2.0 (InvalidRequestError).
"""Imperative: the table is described on its own, then mapped onto the plain domain class."""

from domain import ImpBook
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.orm import mapper, registry

mapper_registry = registry()
metadata = MetaData()

books_table = Table(
    "books",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("author", String(100), nullable=False),
    Column("published_year", Integer, nullable=True),
)

mapper(ImpBook, books_table)
