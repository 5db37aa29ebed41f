"""One `books` table, used through SQLAlchemy Core and through the ORM."""

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session

metadata = MetaData()

# TODO: Task 1 - Core: describe the table once,
#   books_table = Table("books", metadata, Column("id", ...), Column("title", ...), ...)
books_table = None


class Base(DeclarativeBase):
    metadata = metadata


# TODO: Task 1 - ORM: map a Book class onto that very Table object:
#   class Book(Base):
#       __table__ = books_table
#       id: Mapped[int]          (annotations are optional, for type checkers)
#       ...


# TODO: Task 2 - Core functions: statements built with insert() / select(), run on `conn`.


def core_insert(conn: Connection, title: str, author: str) -> int:
    raise NotImplementedError("Task 2: insert a row and return its new id")


def core_titles_by(conn: Connection, author: str) -> list[str]:
    raise NotImplementedError("Task 2: the author's titles, ordered by title")


# TODO: Task 3 - ORM functions: Book objects through the session.


def orm_add(session: Session, title: str, author: str) -> "Book":  # noqa: F821
    raise NotImplementedError("Task 3: add a Book, flush, return it")


def orm_by_author(session: Session, author: str) -> list["Book"]:  # noqa: F821
    raise NotImplementedError("Task 3: the author's Book objects, ordered by title")
