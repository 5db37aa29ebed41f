# WRONG: amount is a plain Python @property, which cannot be used in a WHERE clause.
"""Declarative with an imperative Table ("hybrid declarative"): the Table is written by hand,
the class on top of it is declarative and adds what a Table cannot say."""

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


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

    # A Python property: Order.amount cannot be used in a query.
    @property
    def amount(self) -> float:
        return self.amount_cents / 100

    customer: Mapped[Customer] = relationship(back_populates="orders")
