"""Blog models that share their common columns through mixins."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware. The tests replace it with a fake clock."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class TimestampMixin:
    # TODO: Task 1 - created_at (set on INSERT) and updated_at (set on INSERT and every UPDATE),
    #   both timezone-aware datetimes taken from utcnow(), looked up when the row is written.
    pass


class SoftDeleteMixin:
    # TODO: Task 2 - deleted_at (NULL until deleted), soft_delete() and the is_deleted property.
    pass


class TablenameMixin:
    # TODO: Task 3 - a @declared_attr.directive __tablename__: BlogPost -> "blog_posts".
    pass


# TODO: Task 4 - BlogPost (id, title) and Comment (id, post_id -> blog_posts.id, body), each
#   using the three mixins and declaring none of the shared columns itself.
