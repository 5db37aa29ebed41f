# ALTERNATIVE: mixins as __abstract__ subclasses of Base, pluralizing __tablename__
"""Alternative: mixins as abstract subclasses of Base; inflection-ish pluralizer."""

import re
import sys
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


def _clock():
    return sys.modules[__name__].utcnow()


class Base(DeclarativeBase):
    pass


class TimestampMixin(Base):
    __abstract__ = True
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_clock, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_clock, onupdate=_clock
    )


class SoftDeleteMixin(Base):
    __abstract__ = True
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def is_deleted(self) -> bool:
        return bool(self.deleted_at)

    def soft_delete(self) -> None:
        self.deleted_at = utcnow()


class TablenameMixin:
    @declared_attr.directive
    def __tablename__(cls) -> str:
        snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", cls.__name__).lower()
        if snake.endswith(("s", "x", "ch", "sh")):
            return snake + "es"
        if snake.endswith("y") and snake[-2:-1] not in "aeiou":
            return snake[:-1] + "ies"
        return snake + "s"


class BlogPost(TablenameMixin, TimestampMixin, SoftDeleteMixin, Base):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))


class Comment(TablenameMixin, TimestampMixin, SoftDeleteMixin, Base):
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("blog_posts.id"))
    body: Mapped[str] = mapped_column(Text)
