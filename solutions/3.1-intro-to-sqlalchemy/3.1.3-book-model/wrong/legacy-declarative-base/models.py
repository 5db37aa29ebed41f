# WRONG: Base = declarative_base() from sqlalchemy.ext.declarative (1.x style, MovedIn20Warning).
"""The Book model, declared the SQLAlchemy 2.x way."""

from sqlalchemy import String
from sqlalchemy.ext.declarative import declarative_base
from sqlalchemy.orm import Mapped, mapped_column

Base = declarative_base()


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))  # Mapped[str]: NOT NULL
    author: Mapped[str] = mapped_column(String(100), index=True)
    published_year: Mapped[int | None]  # Optional: NULL allowed, type from the annotation

    def __repr__(self) -> str:
        return f"Book(id={self.id!r}, title={self.title!r})"
