# ALTERNATIVE: rename via __mapper_args__ properties, amount = CAST(...) / 100
from typing import List

import sqlalchemy as sa
from sqlalchemy import orm


class Base(orm.DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(100))
    orders: orm.Mapped[List["Order"]] = orm.relationship(
        "Order", back_populates="customer", order_by="Order.id", lazy="selectin"
    )


orders_table = sa.Table(
    "orders",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "customer_id",
        sa.Integer,
        sa.ForeignKey("customers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("total_cents", sa.Integer, nullable=False),
)


class Order(Base):
    __table__ = orders_table
    __mapper_args__ = {"properties": {"amount_cents": orders_table.c.total_cents}}

    id: orm.Mapped[int]
    customer_id: orm.Mapped[int]
    amount = orm.column_property(sa.cast(orders_table.c.total_cents, sa.Float) / 100)
    customer: orm.Mapped["Customer"] = orm.relationship(
        back_populates="orders", foreign_keys=[orders_table.c.customer_id]
    )
