"""The suite kit's fixtures, as a hidden suite sees them (run through pytester)."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

LEARNER_MAIN = """
from collections.abc import Iterator

from fastapi import Depends, FastAPI
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("sqlite:///./never-used.db")
SessionLocal = sessionmaker(bind=engine)


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))


def get_db() -> Iterator[Session]:
    raise RuntimeError("the real database must not be used in tests")


app = FastAPI()


@app.post("/books", status_code=201)
def create(title: str, db: Session = Depends(get_db)):
    book = Book(title=title)
    db.add(book)
    db.commit()
    return {"id": book.id, "title": book.title}


@app.get("/books")
def books(db: Session = Depends(get_db)):
    return [b.title for b in db.scalars(select(Book).order_by(Book.id))]


@app.get("/boom")
def boom():
    raise ValueError("boom")
"""

SUITE = """
import pytest
from sqlalchemy import select

from grader.pytest_plugin import LearnerCodeError


def test_db_client_serves_a_private_database(learner, db_client, sql_counter):
    main = learner.require("main", "app", "get_db", "Base", "Book")
    db = db_client(main)
    assert db.client.post("/books", params={"title": "Dune"}).status_code == 201
    with sql_counter(db.engine) as counted:
        assert db.client.get("/books").json() == ["Dune"]
    assert counted.count == 1 and counted.selects == 1
    assert [b.title for b in db.scalars(select(main.Book))] == ["Dune"]


def test_each_test_gets_a_new_database(learner, db_client):
    db = db_client(learner("main"))
    assert db.client.get("/books").json() == []


def test_the_override_is_removed_after_a_test(learner):
    assert learner("main").app.dependency_overrides == {}


def test_overrides_last_one_test(learner, overrides, app_client):
    main = learner("main")
    overrides(main.app, {main.get_db: lambda: iter(())})
    assert main.get_db in main.app.dependency_overrides


def test_overrides_are_undone_after_the_test(learner):
    assert learner("main").app.dependency_overrides == {}


def test_app_client_answers_500(learner, app_client):
    assert app_client(learner("main").app).get("/boom").status_code == 500


def test_require_names_what_is_missing(learner):
    with pytest.raises(LearnerCodeError, match="main.py defines no `nope`, `other`"):
        learner.require("main", "app", "nope", "other")


def test_a_package_is_named_by_its_init_file(learner):
    expected = r"^users_service/__init__.py defines no `create_app`"
    with pytest.raises(LearnerCodeError, match=expected):
        learner.require("users_service", "create_app")


def test_a_learner_file_wins_over_a_preloaded_library(learner):
    import sys
    import types

    library = types.ModuleType("colorsys")  # as the sandbox's preloaded library would be
    library.__file__ = "/usr/lib/python3/colorsys.py"
    sys.modules["colorsys"] = library
    assert learner("colorsys").LEARNER is True


def test_clock_moves_only_when_told(clock):
    first = clock.now()
    clock.sleep(30)
    assert (clock.now() - first).total_seconds() == 30
    assert clock.now().tzinfo is not None and clock.sleeps == [30]
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_clock_async_sleep(clock):
    import asyncio

    before = clock.monotonic()
    asyncio.run(clock.asleep(5))
    assert clock.monotonic() - before == 5
"""


@pytest.fixture
def kit_run(pytester):
    pytester.makepyfile(
        main=LEARNER_MAIN, colorsys="LEARNER = True\n", test_kit=textwrap.dedent(SUITE)
    )
    (pytester.path / "users_service").mkdir()
    (pytester.path / "users_service" / "__init__.py").write_text("VERSION = 1\n")
    return pytester.runpytest_inprocess(
        "-p", "grader.pytest_plugin", "--submission", str(pytester.path)
    )


def test_every_kit_fixture_works(kit_run):
    kit_run.assert_outcomes(passed=11)
