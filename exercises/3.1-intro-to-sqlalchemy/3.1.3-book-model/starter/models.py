"""The Book model, declared the SQLAlchemy 2.x way."""

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# TODO: Task 1 - the declarative base: class Base(DeclarativeBase)


# TODO: Task 2 - class Book(Base) on the table "books":
#   id              integer primary key
#   title           String(200), NOT NULL
#   author          String(100), NOT NULL, indexed
#   published_year  integer, NULL allowed

# TODO: Task 3 - Book.__repr__ returns e.g. Book(id=1, title='Dune')
