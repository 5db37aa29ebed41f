"""A generic repository: one class gives any mapped model get, list, add, delete and exists."""

from typing import Any, Generic, TypeVar  # noqa: F401

from sqlalchemy import ForeignKey, String, exists, inspect, select  # noqa: F401
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    books: Mapped[list["Book"]] = relationship(back_populates="author")


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")


T = TypeVar("T")

MAX_LIMIT = 100


class Repository(Generic[T]):
    """Data access for one model. It flushes, but never commits: the caller owns the transaction."""

    def __init__(self, session: Session, model: type[T]) -> None:
        self.session = session
        self.model = model

    def get(self, pk: Any) -> T | None:
        return self.session.get(self.model, pk)

    # TODO (Task 1): add(obj) and delete(obj)
    # TODO (Task 2): list(limit=50, offset=0, **filters) and exists(**filters)


# TODO (Task 3): BookRepository(session), a Repository[Book] with by_author(name)
