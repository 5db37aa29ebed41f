# ALTERNATIVE: @dataclass ImpBook, imperative table in its own MetaData
from typing import Optional

from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {str: String(200)}


class DeclBook(Base):
    __tablename__ = "books"
    id = mapped_column(Integer, primary_key=True)
    title: Mapped[str]
    author: Mapped[str] = mapped_column(String(100), nullable=False)
    published_year: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
