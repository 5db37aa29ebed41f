from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import ForeignKey, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from grader.testing import (
    SavedDatabase,
    SqlCounter,
    bound_sessionmaker,
    empty_database,
    memory_engine,
    overridden_db,
    reversed_scans,
)


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


def test_a_saved_database_is_written_back_whole_before_each_test():
    from sqlalchemy import Column, Integer, MetaData, String, Table, insert, inspect, select, text

    metadata = MetaData()
    names = Table(
        "names", metadata, Column("id", Integer, primary_key=True), Column("name", String)
    )
    engine = memory_engine(metadata)
    with engine.begin() as connection:
        connection.execute(insert(names), [{"name": "ada"}, {"name": "grace"}])
    saved = SavedDatabase(engine)
    with engine.begin() as connection:  # what a test may do: change rows, drop the table
        connection.execute(names.update().values(name="changed"))
        connection.execute(text("DROP TABLE names"))
    saved.restore()
    with engine.connect() as connection:
        assert connection.execute(select(names.c.id, names.c.name)).all() == [
            (1, "ada"),
            (2, "grace"),
        ]
    assert inspect(engine).has_table("names")
    saved.close()
    engine.dispose()


def test_an_emptied_database_counts_ids_from_one_and_reads_in_order_again():
    from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

    metadata = MetaData()
    names = Table(
        "names",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String),
        sqlite_autoincrement=True,  # keeps its ids in sqlite_sequence
    )
    engine = memory_engine(metadata)
    with engine.begin() as connection:
        connection.execute(insert(names), [{"name": "ada"}, {"name": "grace"}])
        connection.exec_driver_sql("PRAGMA reverse_unordered_selects = ON")
    empty_database(engine, metadata)
    with engine.begin() as connection:
        assert connection.execute(select(names)).all() == []
        connection.execute(insert(names), [{"name": "alan"}, {"name": "edsger"}])
        assert connection.execute(select(names.c.id, names.c.name)).all() == [
            (1, "alan"),
            (2, "edsger"),
        ]
    engine.dispose()


def test_a_bound_sessionmaker_serves_the_engine_then_gets_its_own_bind_back():
    import pytest
    from sqlalchemy import text
    from sqlalchemy.orm import sessionmaker

    own, test_engine = memory_engine(), memory_engine()
    session_local = sessionmaker(bind=own)
    with bound_sessionmaker(session_local, test_engine), session_local() as session:
        assert session.get_bind() is test_engine
        assert session.execute(text("SELECT 1")).scalar() == 1
    assert session_local.kw["bind"] is own
    with pytest.raises(pytest.fail.Exception, match="not a sessionmaker"):
        with bound_sessionmaker(object(), test_engine):
            pass


def test_reversed_scans_shows_an_order_that_only_came_from_the_table():
    engine = memory_engine(Base.metadata)
    with Session(engine) as session:
        session.add_all([Author(id=n) for n in (1, 2, 3)])
        session.commit()
        unordered, ordered = select(Author.id), select(Author.id).order_by(Author.id)
        with reversed_scans(engine):
            assert list(session.scalars(unordered)) == [3, 2, 1]
            assert list(session.scalars(ordered)) == [1, 2, 3]
        assert list(session.scalars(unordered)) == [1, 2, 3]
