"""Author 1 - N Book."""

from sqlalchemy import ForeignKey, String, UniqueConstraint  # noqa: F401
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship  # noqa: F401


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))

    # TODO: Task 1 - books: the author's Book objects (a list), linked to Book.author with
    #       relationship(back_populates=...)


class Book(Base):
    __tablename__ = "books"
    # TODO: Task 1 - an author can't have two books with the same title:
    #       a UniqueConstraint on (author_id, title) in __table_args__

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))

    # TODO: Task 1 - author_id: a NOT NULL foreign key to authors.id, and author: the Author
    #       object, linked to Author.books with relationship(back_populates=...)
