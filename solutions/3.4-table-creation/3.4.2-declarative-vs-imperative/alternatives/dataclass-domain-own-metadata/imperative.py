import domain
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.orm import registry

metadata = MetaData()
books_table = Table(
    "books",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(200), nullable=False),
    Column("author", String(100), nullable=False),
    Column("published_year", Integer),
)
mapper_registry = registry(metadata=metadata)
mapper_registry.map_imperatively(domain.ImpBook, books_table)
