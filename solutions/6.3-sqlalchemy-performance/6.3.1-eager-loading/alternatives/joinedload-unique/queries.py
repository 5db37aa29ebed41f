"""Authors, their books and the books' reviews, loaded eagerly in a fixed number of queries."""

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
    subqueryload,
)


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    books: Mapped[list["Book"]] = relationship(back_populates="author", lazy="raise")


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books", lazy="raise")
    reviews: Mapped[list["Review"]] = relationship(back_populates="book", lazy="raise")


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    stars: Mapped[int]
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"))
    book: Mapped[Book] = relationship(back_populates="reviews", lazy="raise")


def list_authors_with_books(session: Session) -> list[Author]:
    """Every author, ordered by name, with `books` loaded: one SELECT with a LEFT OUTER JOIN."""
    statement = select(Author).options(joinedload(Author.books)).order_by(Author.name)
    # a joined collection repeats each author once per book: unique() folds them back
    return list(session.scalars(statement).unique().all())


def get_author_tree(session: Session, author_id: int) -> Author | None:
    """One author with its books and each book's reviews loaded (three SELECTs), or None."""
    return session.get(
        Author, author_id, options=[subqueryload(Author.books).subqueryload(Book.reviews)]
    )
