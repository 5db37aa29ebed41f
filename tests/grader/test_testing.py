from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import ForeignKey, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from grader.testing import SqlCounter, memory_engine, overridden_db


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))


def get_db():
    raise RuntimeError("the real database must not be used in tests")


app = FastAPI()


@app.get("/books")
def books(db: Session = Depends(get_db)):
    return [b.id for b in db.scalars(select(Book))]


def test_memory_engine_enforces_foreign_keys():
    engine = memory_engine(Base.metadata)
    with Session(engine) as session:
        session.add(Book(author_id=999))
        try:
            session.commit()
            raise AssertionError("a dangling foreign key was accepted")
        except IntegrityError:
            pass


def test_overridden_db_serves_the_test_database_and_counts_statements():
    engine = memory_engine(Base.metadata)
    with Session(engine) as session:
        session.add_all([Author(id=1), Book(id=7, author_id=1)])
        session.commit()
    with overridden_db(app, get_db, engine), SqlCounter(engine) as counter:
        assert TestClient(app).get("/books").json() == [7]
    assert counter.count == 1
    assert get_db not in app.dependency_overrides
