# WRONG: title is a bare Mapped[str]: a VARCHAR without the 200 length.
"""The Book model, declared the SQLAlchemy 2.x way."""

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author: Mapped[str] = mapped_column(String(100), index=True)
    published_year: Mapped[int | None]  # Optional: NULL allowed, type from the annotation

    def __repr__(self) -> str:
        return f"Book(id={self.id!r}, title={self.title!r})"
