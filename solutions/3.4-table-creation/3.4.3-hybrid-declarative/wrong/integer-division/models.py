# WRONG: amount uses floor division (// 100), so 1250 cents give 12, not 12.5.
"""Declarative with an imperative Table ("hybrid declarative"): the Table is written by hand,
the class on top of it is declarative and adds what a Table cannot say."""

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column, relationship


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

    # The column total_cents is mapped under another attribute name.
    amount_cents = orders_table.c.total_cents
    # A read-only attribute computed by the database in every SELECT of Order.
    amount = column_property(orders_table.c.total_cents // 100)

    customer: Mapped[Customer] = relationship(back_populates="orders")
