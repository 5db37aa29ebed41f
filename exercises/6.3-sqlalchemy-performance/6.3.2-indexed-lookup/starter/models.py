"""Users of a multi-tenant app, with the indexes their two lookups need."""

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    tenant_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime)

    # TODO (Task 1): the two indexes
