# WRONG: Order declares its own table with __tablename__, so it is not mapped onto orders_table.
"""Declarative with an imperative Table ("hybrid declarative"): the Table is written by hand,
the class on top of it is declarative and adds what a Table cannot say."""

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))

    orders: Mapped[list["Order"]] = relationship(back_populates="customer")


# A Core description of the table, kept "for reference" but not used by the mapping.
orders_table = Table(
    "orders",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, nullable=False, index=True),
    Column("total_cents", Integer, nullable=False),
)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    amount_cents: Mapped[int] = mapped_column("total_cents")
    amount = column_property(amount_cents / 100.0)

    customer: Mapped[Customer] = relationship(back_populates="orders")
