# WRONG: the table is an imperative Table object assigned to __table__, not declared in the class.
"""A declarative table definition: the class describes the table, SQLAlchemy builds it."""

from datetime import datetime
from decimal import Decimal

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
from sqlalchemy.orm import DeclarativeBase, Mapped


class Base(DeclarativeBase):
    pass


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


class Product(Base):
    __table__ = products_table

    id: Mapped[int]
    sku: Mapped[str]
    name: Mapped[str]
    price: Mapped[Decimal]
    created_at: Mapped[datetime]
