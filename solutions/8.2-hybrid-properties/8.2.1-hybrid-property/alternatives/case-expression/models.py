"""Hybrids with an explicit SQL side for both: a CASE for the name, cast-free integer division."""

from sqlalchemy import String, case
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
        return " ".join(part for part in (self.first_name, self.last_name) if part is not None)

    @full_name.inplace.expression
    @classmethod
    def _full_name(cls):
        return case(
            (cls.last_name.is_(None), cls.first_name),
            else_=cls.first_name + " " + cls.last_name,
        )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    qty: Mapped[int]
    unit_price_cents: Mapped[int]
    discount_pct: Mapped[int] = mapped_column(default=0)

    @hybrid_property
    def total_cents(self) -> int:
        gross = self.qty * self.unit_price_cents
        return gross * (100 - self.discount_pct) // 100

    @total_cents.inplace.expression
    @classmethod
    def _total_cents(cls):
        gross = cls.qty * cls.unit_price_cents
        return (gross * (100 - cls.discount_pct)) // 100
