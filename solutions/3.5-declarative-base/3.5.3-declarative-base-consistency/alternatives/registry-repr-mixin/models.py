from __future__ import annotations

import datetime as dt
import decimal

from base import Base
from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("email"), Index(None, "name"))
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    email: Mapped[str]
    invoices: Mapped[list[Invoice]] = relationship(back_populates="customer", lazy="selectin")


class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(Customer.id), index=True)
    amount: Mapped[decimal.Decimal] = mapped_column(
        CheckConstraint("amount >= 0", name="amount_nonneg")
    )
    issued_at: Mapped[dt.datetime]
    customer: Mapped[Customer] = relationship(back_populates="invoices")
