"""Hybrid properties: one definition, a Python value on rows and an SQL expression on the class."""

from sqlalchemy import String, func  # noqa: F401
from sqlalchemy.ext.hybrid import hybrid_property  # noqa: F401
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(50))
    last_name: Mapped[str | None] = mapped_column(String(50))

    # TODO (Task 2): full_name, a hybrid property: "Ada Lovelace", or "Ada" without a last name,
    #   on an instance and in SQL


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    qty: Mapped[int]
    unit_price_cents: Mapped[int]
    discount_pct: Mapped[int] = mapped_column(default=0)

    # TODO (Task 1): total_cents, a hybrid property:
    #   qty * unit_price_cents * (100 - discount_pct) // 100, on an instance and in SQL
