"""Soft deletes: rows get a deleted_at stamp and disappear from every ORM read."""

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, String, event  # noqa: F401
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,  # noqa: F401
    Session,
    mapped_column,
    relationship,
    with_loader_criteria,  # noqa: F401
)


class Base(DeclarativeBase):
    pass


class SoftDeleteMixin:
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class Author(SoftDeleteMixin, Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    posts: Mapped[list["Post"]] = relationship(back_populates="author")


class Post(SoftDeleteMixin, Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="posts")


def soft_delete(session: Session, obj: SoftDeleteMixin) -> None:
    # TODO (Task 1): stamp the row instead of deleting it, and commit
    session.delete(obj)
    session.commit()


def restore(obj: SoftDeleteMixin) -> None:
    # TODO (Task 1): make the row visible again
    pass


# TODO (Task 2): a do_orm_execute listener on Session that hides soft-deleted rows
# from every ORM SELECT unless the statement has execution_options(include_deleted=True)
