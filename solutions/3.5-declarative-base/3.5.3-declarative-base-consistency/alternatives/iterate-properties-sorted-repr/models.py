from datetime import datetime
from decimal import Decimal
from typing import List

from base import Base
from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(index=True, nullable=False)
    email: Mapped[str] = mapped_column(unique=True)
    invoices: Mapped[List["Invoice"]] = relationship(
        "Invoice", back_populates="customer", cascade="all, delete-orphan"
    )


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (CheckConstraint("amount >= 0", "amount_nonneg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[Decimal]
    issued_at: Mapped[datetime]
    customer: Mapped["Customer"] = relationship(back_populates="invoices")
