# WRONG: every constraint and index name is written out by hand in the model.
"""Customer and Invoice, each naming its own constraints."""

from datetime import datetime
from decimal import Decimal

from base import Base
from sqlalchemy import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        PrimaryKeyConstraint("id", name="pk_customers"),
        UniqueConstraint("email", name="uq_customers_email"),
        Index("ix_customers_name", "name"),
    )

    id: Mapped[int] = mapped_column()
    name: Mapped[str]
    email: Mapped[str]

    invoices: Mapped[list["Invoice"]] = relationship(back_populates="customer")


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        PrimaryKeyConstraint("id", name="pk_invoices"),
        ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_invoices_customer_id_customers"
        ),
        Index("ix_invoices_customer_id", "customer_id"),
        CheckConstraint("amount >= 0", name="ck_invoices_amount_nonneg"),
    )

    id: Mapped[int] = mapped_column()
    customer_id: Mapped[int]
    amount: Mapped[Decimal]
    issued_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(back_populates="invoices")
