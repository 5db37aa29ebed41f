# WRONG: domain.py imports Mapped from SQLAlchemy for its annotations: the domain is not decoupled.
"""The domain model: plain Python, no persistence concerns and no SQLAlchemy import."""

from sqlalchemy.orm import Mapped


class ImpBook:
    title: Mapped[str]
    author: Mapped[str]
    published_year: Mapped[int | None]

    def __init__(self, title: str, author: str, published_year: int | None = None) -> None:
        self.title = title
        self.author = author
        self.published_year = published_year

    def __repr__(self) -> str:
        return f"ImpBook(title={self.title!r}, author={self.author!r})"
