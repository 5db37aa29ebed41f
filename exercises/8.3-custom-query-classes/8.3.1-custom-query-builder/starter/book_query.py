"""A 2.0-style query builder: an immutable object wrapping select(Book)."""

from sqlalchemy import Select, String, func, select  # noqa: F401
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100))
    year: Mapped[int]
    published: Mapped[bool] = mapped_column(default=False)


class BookQuery:
    """Each method returns a new BookQuery; the one it was called on is left as it was."""

    def __init__(self) -> None:
        self._statement = select(Book)

    # TODO (Task 1): published(), by_author(name), search(term), newest_first()

    @property
    def statement(self) -> Select:
        return self._statement

    def all(self, session: Session) -> list[Book]:
        return list(session.scalars(self._statement))

    def count(self, session: Session) -> int:
        # TODO (Task 2): count the matching books in the database
        raise NotImplementedError
