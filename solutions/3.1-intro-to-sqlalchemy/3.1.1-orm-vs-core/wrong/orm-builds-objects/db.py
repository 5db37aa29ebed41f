# WRONG: orm_by_author builds new Book objects from Core rows, bypassing the identity map.
"""One `books` table, used through SQLAlchemy Core and through the ORM."""

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, insert, select
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
    result = conn.execute(insert(books_table).values(title=title, author=author))
    return result.inserted_primary_key[0]


def core_titles_by(conn: Connection, author: str) -> list[str]:
    stmt = (
        select(books_table.c.title)
        .where(books_table.c.author == author)
        .order_by(books_table.c.title)
    )
    return list(conn.scalars(stmt))


# ---------------------------------------------------------------- ORM: objects through a Session


def orm_add(session: Session, title: str, author: str) -> Book:
    book = Book(title=title, author=author)
    session.add(book)
    session.flush()  # sends the INSERT so book.id is set; the caller decides when to commit
    return book


def orm_by_author(session: Session, author: str) -> list[Book]:
    stmt = select(books_table).where(books_table.c.author == author).order_by(books_table.c.title)
    rows = session.connection().execute(stmt)
    return [Book(id=row.id, title=row.title, author=row.author) for row in rows]
