# WRONG: tenant_id is optional (Mapped[int | None]), so an order can belong to no tenant.
"""A row-based multi-tenant Order model: one shared table, every row owned by a tenant."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Index, Select, String, UniqueConstraint, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


def utc_now() -> datetime:
    return datetime.now(UTC)


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)

    orders: Mapped[list["Order"]] = relationship(back_populates="tenant")

    def __repr__(self) -> str:
        return f"Tenant(id={self.id!r}, slug={self.slug!r})"


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        # Order numbers are unique per tenant, not across the whole table.
        UniqueConstraint("tenant_id", "number", name="uq_orders_tenant_number"),
        # Serves "this tenant's orders, newest first": the filter and the sort in one index.
        # Its leading column also indexes tenant_id on its own, so tenant_id needs no index=True.
        Index("ix_orders_tenant_created", "tenant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"))
    number: Mapped[str] = mapped_column(String(32))
    total_cents: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    tenant: Mapped[Tenant | None] = relationship(back_populates="orders")

    def __repr__(self) -> str:
        return f"Order(id={self.id!r}, tenant_id={self.tenant_id!r}, number={self.number!r})"


def tenant_orders(tenant_id: int) -> Select[tuple[Order]]:
    """The tenant's orders, newest first (ties: the later id first)."""
    return (
        select(Order)
        .where(Order.tenant_id == tenant_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
