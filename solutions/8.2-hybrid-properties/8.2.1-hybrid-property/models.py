"""Hybrid properties: one definition, a Python value on rows and an SQL expression on the class."""

from sqlalchemy import String, func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(50))
    last_name: Mapped[str | None] = mapped_column(String(50))

    @hybrid_property
    def full_name(self) -> str:
        if self.last_name is None:
            return self.first_name
        return f"{self.first_name} {self.last_name}"

    @full_name.inplace.expression
    @classmethod
    def _full_name_expression(cls):
        # ' ' || NULL is NULL, so a missing last name leaves the first name alone
        return cls.first_name + func.coalesce(" " + cls.last_name, "")


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    qty: Mapped[int]
    unit_price_cents: Mapped[int]
    discount_pct: Mapped[int] = mapped_column(default=0)

    @hybrid_property
    def total_cents(self) -> int:
        # The same arithmetic works on ints and on columns: // is integer division in both
        return self.qty * self.unit_price_cents * (100 - self.discount_pct) // 100
