# ALTERNATIVE: MappedAsDataclass base, Annotated str200 type, named Index
from typing import Annotated, Optional

from sqlalchemy import Index, String, Unicode
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedAsDataclass, mapped_column

str200 = Annotated[str, mapped_column(String(200))]


class Base(MappedAsDataclass, DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"
    __table_args__ = (Index("idx_books_by_author", "author"),)

    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    title: Mapped[str200]
    author: Mapped[str] = mapped_column(Unicode(100))
    published_year: Mapped[Optional[int]] = mapped_column(default=None)

    def __repr__(self):
        return "Book(id=%r, title=%r)" % (self.id, self.title)
