# WRONG: total_cents stays an attribute and amount_cents is only a synonym of it.
"""Declarative with an imperative Table ("hybrid declarative"): the Table is written by hand,
the class on top of it is declarative and adds what a Table cannot say."""

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    column_property,
    mapped_column,
    relationship,
    synonym,
)


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))

    orders: Mapped[list["Order"]] = relationship(back_populates="customer")


# The imperative part: a Core Table, in the same MetaData as the declarative models.
orders_table = Table(
    "orders",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False, index=True),
    Column("total_cents", Integer, nullable=False),
)


class Order(Base):
    __table__ = orders_table

    # total_cents stays mapped; amount_cents is an alias of it.
    amount_cents = synonym("total_cents")
    # A read-only attribute computed by the database in every SELECT of Order.
    amount = column_property(orders_table.c.total_cents / 100.0)

    customer: Mapped[Customer] = relationship(back_populates="orders")
