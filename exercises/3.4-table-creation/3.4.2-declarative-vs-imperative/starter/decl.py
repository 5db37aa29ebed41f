"""Declarative: the class and its table are written once, together."""

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


# TODO: Task 1 - class DeclBook(Base) on the table "books":
#   id              integer primary key
#   title           String(200), NOT NULL
#   author          String(100), NOT NULL
#   published_year  integer, NULL allowed
