"""A 2.0-style query builder: an immutable object wrapping select(Book)."""

from sqlalchemy import Select, String, func, select
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

    def __init__(self, statement: Select | None = None) -> None:
        self._statement = statement if statement is not None else select(Book)

    def _with(self, statement: Select) -> "BookQuery":
        # Select is generative: .where() / .order_by() return a new Select
        return type(self)(statement)

    def published(self) -> "BookQuery":
        return self._with(self._statement.where(Book.published.is_(True)))

    def by_author(self, name: str) -> "BookQuery":
        return self._with(self._statement.where(Book.author == name))

    def search(self, term: str) -> "BookQuery":
        if not term:
            return self
        # autoescape: a % or _ in the term matches itself, not "anything"
        return self._with(self._statement.where(Book.title.icontains(term, autoescape=True)))

    def newest_first(self) -> "BookQuery":
        return self._with(self._statement.order_by(Book.year.desc(), Book.id.desc()))

    @property
    def statement(self) -> Select:
        return self._statement

    def all(self, session: Session) -> list[Book]:
        return list(session.scalars(self._statement))

    def count(self, session: Session) -> int:
        counted = select(func.count()).select_from(self._statement.order_by(None).subquery())
        return session.scalar(counted)
