"""A generic repository: one class gives any mapped model get, list, add, delete and exists."""

from typing import Any, Generic, TypeVar

from sqlalchemy import ForeignKey, String, exists, inspect, select
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
    """Data access for one model. It flushes, but never commits: the caller owns the transaction."""

    def __init__(self, session: Session, model: type[T]) -> None:
        self.session = session
        self.model = model
        mapper = inspect(model)
        self._columns = {attr.key for attr in mapper.column_attrs}
        self._order = list(mapper.primary_key)

    def _criteria(self, filters: dict[str, Any]) -> list:
        unknown = sorted(set(filters) - self._columns)
        if unknown:
            raise ValueError(f"{self.model.__name__} has no column {', '.join(unknown)}")
        return [getattr(self.model, key) == value for key, value in filters.items()]

    def get(self, pk: Any) -> T | None:
        return self.session.get(self.model, pk)

    def list(self, limit: int = 50, offset: int = 0, **filters: Any) -> list[T]:
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        if offset < 0:
            raise ValueError(f"offset must be 0 or more, got {offset}")
        stmt = (
            select(self.model)
            .where(*self._criteria(filters))
            .order_by(*self._order)
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(stmt))

    def add(self, obj: T) -> T:
        self.session.add(obj)
        self.session.flush()
        return obj

    def delete(self, obj: T) -> None:
        self.session.delete(obj)
        self.session.flush()

    def exists(self, **filters: Any) -> bool:
        stmt = select(exists().where(*self._criteria(filters)).select_from(self.model))
        return bool(self.session.scalar(stmt))


class BookRepository(Repository[Book]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Book)

    def by_author(self, name: str) -> list[Book]:
        stmt = select(Book).join(Book.author).where(Author.name == name).order_by(Book.id)
        return list(self.session.scalars(stmt))
