# ALTERNATIVE: Core insert with a parameter dict, titles sorted in Python, no_autoflush
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session

metadata = MetaData()
books_table = Table(
    "books",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String, nullable=False),
    Column("author", String, nullable=False),
)


class Base(DeclarativeBase):
    pass


class Book(Base):
    __table__ = books_table
    id: Mapped[int]
    title: Mapped[str]
    author: Mapped[str]


def core_insert(conn, title, author):
    return conn.execute(
        insert(books_table), {"title": title, "author": author}
    ).inserted_primary_key.id


def core_titles_by(conn, author):
    rows = conn.execute(select(books_table.c.title).filter(books_table.c.author == author)).all()
    return sorted(t for (t,) in rows)


def orm_add(session: Session, title, author):
    with session.no_autoflush:
        b = Book(title=title, author=author)
        session.add(b)
    session.flush()
    return b


def orm_by_author(session: Session, author):
    return list(
        session.scalars(select(Book).where(Book.author == author).order_by(Book.title, Book.id))
    )
