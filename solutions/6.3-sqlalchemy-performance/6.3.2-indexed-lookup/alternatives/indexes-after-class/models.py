"""Users of a multi-tenant app; the indexes are declared after the class, on its attributes."""

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


Index("ix_users_email_lower", func.lower(User.email))
Index("ix_users_tenant_created", User.tenant_id, User.created_at)
