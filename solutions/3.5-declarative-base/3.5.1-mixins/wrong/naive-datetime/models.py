# WRONG: naive DateTime columns for the timestamps.
"""Blog models that share their common columns through mixins."""

import re
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware. The tests replace it with a fake clock."""
    return datetime.now(UTC)


def _now() -> datetime:
    # Looks utcnow up when a row is written, so a replaced models.utcnow is seen.
    return utcnow()


class Base(DeclarativeBase):
    pass


class TimestampMixin:
    """created_at is set once on INSERT; updated_at on INSERT and on every UPDATE."""

    created_at: Mapped[datetime] = mapped_column(DateTime(), default=_now)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(), default=_now, onupdate=_now
    )


class SoftDeleteMixin:
    """Marks a row as deleted instead of removing it."""

    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def soft_delete(self) -> None:
        self.deleted_at = utcnow()


_WORD_START = re.compile(r"(?<!^)(?=[A-Z])")


class TablenameMixin:
    """Names the table after the class: BlogPost -> blog_posts."""

    @declared_attr.directive
    def __tablename__(cls) -> str:
        return _WORD_START.sub("_", cls.__name__).lower() + "s"


class BlogPost(TablenameMixin, TimestampMixin, SoftDeleteMixin, Base):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))


class Comment(TablenameMixin, TimestampMixin, SoftDeleteMixin, Base):
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("blog_posts.id"))
    body: Mapped[str] = mapped_column(Text)
