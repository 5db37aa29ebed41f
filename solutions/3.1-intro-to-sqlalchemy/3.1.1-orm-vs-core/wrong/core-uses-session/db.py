# WRONG: the Core functions wrap the connection in an ORM Session instead of using it.
"""One `books` table, used through SQLAlchemy Core and through the ORM."""

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session

metadata = MetaData()

# Core: the table itself, described once.
books_table = Table(
    "books",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("author", String(100), nullable=False),
)


class Base(DeclarativeBase):
    metadata = metadata


class Book(Base):
    """ORM: a class mapped onto the very same Table object."""

    __table__ = books_table

    # Annotations for type checkers only: the columns come from books_table.
    id: Mapped[int]
    title: Mapped[str]
    author: Mapped[str]


# ---------------------------------------------------------------- Core: statements on a Connection


def core_insert(conn: Connection, title: str, author: str) -> int:
    session = Session(bind=conn)
    book = Book(title=title, author=author)
    session.add(book)
    session.flush()
    return book.id


def core_titles_by(conn: Connection, author: str) -> list[str]:
    stmt = (
        select(books_table.c.title)
        .where(books_table.c.author == author)
        .order_by(books_table.c.title)
    )
    return list(Session(bind=conn).scalars(stmt))


# ---------------------------------------------------------------- ORM: objects through a Session


def orm_add(session: Session, title: str, author: str) -> Book:
    book = Book(title=title, author=author)
    session.add(book)
    session.flush()  # sends the INSERT so book.id is set; the caller decides when to commit
    return book


def orm_by_author(session: Session, author: str) -> list[Book]:
    stmt = select(Book).where(Book.author == author).order_by(Book.title)
    return list(session.scalars(stmt))
