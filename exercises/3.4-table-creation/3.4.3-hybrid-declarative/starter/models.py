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

    # TODO: Task 2 - orders: the customer's orders, the other side of Order.customer


# TODO: Task 1 - orders_table = Table("orders", Base.metadata, ...):
#   id           integer primary key
#   customer_id  integer, NOT NULL, foreign key to customers.id, indexed
#   total_cents  integer, NOT NULL
# then class Order(Base) mapped onto it with __table__ = orders_table

# TODO: Task 2 - Order.customer: a relationship to Customer (back_populates="orders")

# TODO: Task 3 - map the column total_cents under the attribute name amount_cents

# TODO: Task 4 - amount = column_property(...): total_cents / 100.0, computed in SQL
