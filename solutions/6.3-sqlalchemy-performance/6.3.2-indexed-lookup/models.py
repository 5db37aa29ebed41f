"""Users of a multi-tenant app, with the indexes their two lookups need."""

from datetime import datetime

from sqlalchemy import DateTime, Index, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    tenant_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        # an expression index: it stores lower(email), so lower(email) = ? can search it
        Index("ix_users_email_lower", func.lower(email)),
        # equality column first, then the column the query sorts on
        Index("ix_users_tenant_created", "tenant_id", "created_at"),
    )
