"""A generic repository: one class gives any mapped model get, list, add, delete and exists."""

from typing import Any, Generic, TypeVar

from sqlalchemy import ForeignKey, String, inspect, select
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
    def __init__(self, session: Session, model: type[T]) -> None:
        self.session = session
        self.model = model

    def _select(self, filters: dict[str, Any]):
        mapper = inspect(self.model)
        for key in filters:
            if key not in mapper.columns:
                raise ValueError(f"unknown filter {key!r}")
        return select(self.model).filter_by(**filters)

    def get(self, pk: Any) -> T | None:
        return self.session.get(self.model, pk)

    def list(self, limit: int = 50, offset: int = 0, **filters: Any) -> list[T]:
        if limit < 1 or limit > MAX_LIMIT or offset < 0:
            raise ValueError("bad page")
        stmt = self._select(filters).order_by(*inspect(self.model).primary_key)
        return self.session.scalars(stmt.offset(offset).limit(limit)).all()  # type: ignore[return-value]

    def add(self, obj: T) -> T:
        self.session.add(obj)
        self.session.flush([obj])
        return obj

    def delete(self, obj: T) -> None:
        self.session.delete(obj)
        self.session.flush()

    def exists(self, **filters: Any) -> bool:
        return self.session.scalars(self._select(filters).limit(1)).first() is not None


class BookRepository(Repository[Book]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Book)

    def by_author(self, name: str) -> list[Book]:
        stmt = select(Book).where(Book.author.has(Author.name == name)).order_by(Book.id)
        return list(self.session.scalars(stmt))
