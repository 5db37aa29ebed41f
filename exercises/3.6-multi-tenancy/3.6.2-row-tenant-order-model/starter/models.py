"""A row-based multi-tenant Order model: one shared table, every row owned by a tenant."""

from datetime import UTC, datetime  # noqa: F401

from sqlalchemy import (  # noqa: F401
    DateTime,
    ForeignKey,
    Index,
    Select,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


# TODO: Task 1 - slug: String(63), NOT NULL, unique
class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)


# TODO: Task 2 - tenant_id (NOT NULL, foreign key to tenants.id), number (String(32)),
#       total_cents, created_at (DateTime(timezone=True), defaults to now); in __table_args__ a
#       UniqueConstraint on (tenant_id, number) and Index("ix_orders_tenant_created", ...)
class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)


def tenant_orders(tenant_id: int) -> Select:
    # TODO: Task 3 - one tenant's orders, newest first (created_at desc, then id desc)
    raise NotImplementedError
