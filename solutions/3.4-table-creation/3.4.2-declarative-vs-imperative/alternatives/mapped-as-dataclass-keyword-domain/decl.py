# ALTERNATIVE: MappedAsDataclass DeclBook, keyword-only ImpBook on a plain base
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedAsDataclass, mapped_column


class Base(MappedAsDataclass, DeclarativeBase):
    pass


class DeclBook(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100))
    published_year: Mapped[int | None] = mapped_column(default=None)
