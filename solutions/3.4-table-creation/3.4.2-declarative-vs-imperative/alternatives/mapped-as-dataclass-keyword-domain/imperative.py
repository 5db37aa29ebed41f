from domain import ImpBook
from sqlalchemy import Column, Integer, String, Table
from sqlalchemy.orm import registry

mapper_registry = registry()
books_table = Table(
    "books",
    mapper_registry.metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("author", String(100), nullable=False),
    Column("published_year", Integer, nullable=True),
)
mapper_registry.map_imperatively(ImpBook, books_table, properties={"title": books_table.c.title})
