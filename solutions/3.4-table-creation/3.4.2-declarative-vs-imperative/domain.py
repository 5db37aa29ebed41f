"""The domain model: plain Python, no persistence concerns and no SQLAlchemy import."""


class ImpBook:
    def __init__(self, title: str, author: str, published_year: int | None = None) -> None:
        self.title = title
        self.author = author
        self.published_year = published_year

    def __repr__(self) -> str:
        return f"ImpBook(title={self.title!r}, author={self.author!r})"
