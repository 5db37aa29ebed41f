"""A frozen dataclass holding criteria; the Select is built when asked for."""

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, Select, String, func, select
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


@dataclass(frozen=True)
class BookQuery:
    criteria: tuple[ColumnElement[bool], ...] = ()
    ordering: tuple = ()

    def published(self) -> "BookQuery":
        return replace(self, criteria=(*self.criteria, Book.published == True))  # noqa: E712

    def by_author(self, name: str) -> "BookQuery":
        return replace(self, criteria=(*self.criteria, Book.author == name))

    def search(self, term: str) -> "BookQuery":
        if term == "":
            return self
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return replace(
            self, criteria=(*self.criteria, Book.title.ilike(f"%{escaped}%", escape="\\"))
        )

    def newest_first(self) -> "BookQuery":
        return replace(self, ordering=(Book.year.desc(), Book.id.desc()))

    @property
    def statement(self) -> Select:
        return select(Book).where(*self.criteria).order_by(*self.ordering)

    def all(self, session: Session) -> list[Book]:
        return session.scalars(self.statement).all()  # type: ignore[return-value]

    def count(self, session: Session) -> int:
        return session.scalar(select(func.count(Book.id)).where(*self.criteria))
