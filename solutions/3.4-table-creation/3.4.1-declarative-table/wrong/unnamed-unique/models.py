# WRONG: sku uses unique=True without a naming convention: the UNIQUE constraint has no name.
"""A declarative table definition: the class describes the table, SQLAlchemy builds it."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, DateTime, Numeric, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (CheckConstraint("price >= 0", name="ck_products_price_nonneg"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    # The database fills it in (DEFAULT CURRENT_TIMESTAMP), for ORM and raw INSERTs alike.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
