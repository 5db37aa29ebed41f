"""Customer and Invoice: plain annotations, short constraint names, everything else from Base."""

from datetime import datetime
from decimal import Decimal

from base import Base
from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(index=True)
    email: Mapped[str] = mapped_column(unique=True)

    invoices: Mapped[list["Invoice"]] = relationship(back_populates="customer")


class Invoice(Base):
    __tablename__ = "invoices"
    # Only the constraint's own part of the name: the convention adds "ck_invoices_".
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_nonneg"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    amount: Mapped[Decimal]
    issued_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(back_populates="invoices")
