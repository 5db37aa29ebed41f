# WRONG: ImpBook is a declarative model inside domain.py, so the domain depends on SQLAlchemy.
"""The domain model: plain Python, no persistence concerns and no SQLAlchemy import."""

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class DomainBase(DeclarativeBase):
    pass


class ImpBook(DomainBase):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100))
    published_year: Mapped[int | None]
