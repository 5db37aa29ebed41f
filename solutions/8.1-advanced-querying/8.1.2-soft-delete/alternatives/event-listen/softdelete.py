"""Soft deletes: rows get a deleted_at stamp and disappear from every ORM read."""

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, String, event, update
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    relationship,
    with_loader_criteria,
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
    session.execute(
        update(type(obj)).where(type(obj).id == obj.id).values(deleted_at=datetime.now(UTC))
    )
    session.commit()


def restore(obj: SoftDeleteMixin) -> None:
    obj.deleted_at = None


def _not_deleted(cls):
    return cls.deleted_at == None  # noqa: E711  (renders IS NULL)


def hide_soft_deleted(state: ORMExecuteState) -> None:
    if state.is_select and not state.execution_options.get("include_deleted"):
        state.statement = state.statement.options(
            with_loader_criteria(SoftDeleteMixin, _not_deleted, include_aliases=True)
        )


event.listen(Session, "do_orm_execute", hide_soft_deleted)
