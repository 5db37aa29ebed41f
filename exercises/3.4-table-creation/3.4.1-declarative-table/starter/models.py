"""A declarative table definition: the class describes the table, SQLAlchemy builds it."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, DateTime, Numeric, String, UniqueConstraint, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


# TODO: Task 1 - class Product(Base) on the table "products", declared with __tablename__:
#   id          integer primary key
#   sku         String(32), NOT NULL
#   name        String(200), NOT NULL
#   price       Numeric(10, 2), NOT NULL (annotate it Mapped[Decimal])
#   created_at  DateTime(timezone=True), NOT NULL

# TODO: Task 2 - named constraints, in __table_args__ (or on the columns):
#   UNIQUE (sku)          named "uq_products_sku"
#   CHECK (price >= 0)    named "ck_products_price_nonneg"

# TODO: Task 3 - created_at is filled in by the database: server_default=func.now()
