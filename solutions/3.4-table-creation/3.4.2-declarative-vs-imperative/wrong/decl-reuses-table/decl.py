# WRONG: DeclBook reuses the imperative books_table instead of declaring its own columns.
"""Declarative: the class and its table are written once, together."""

from imperative import books_table
from sqlalchemy.orm import DeclarativeBase, Mapped


class Base(DeclarativeBase):
    pass


class DeclBook(Base):
    __table__ = books_table

    id: Mapped[int]
    title: Mapped[str]
    author: Mapped[str]
    published_year: Mapped[int | None]
