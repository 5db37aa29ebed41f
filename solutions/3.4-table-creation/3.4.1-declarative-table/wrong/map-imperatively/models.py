# WRONG: Product is a plain class mapped imperatively onto a Table, not a declarative class.
"""A declarative table definition: the class describes the table, SQLAlchemy builds it."""

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Integer,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, registry


class Base(DeclarativeBase):
    pass


mapper_registry = registry(metadata=Base.metadata)

products_table = Table(
    "products",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("sku", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("price", Numeric(10, 2), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("sku", name="uq_products_sku"),
    CheckConstraint("price >= 0", name="ck_products_price_nonneg"),
)


class Product:
    def __init__(self, sku, name, price):
        self.sku = sku
        self.name = name
        self.price = price


mapper_registry.map_imperatively(Product, products_table)
