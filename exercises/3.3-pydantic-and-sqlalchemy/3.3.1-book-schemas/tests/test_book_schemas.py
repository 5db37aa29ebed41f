import datetime as real_datetime
import time
import types
from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

DUNE = {"title": "Dune", "author": "Frank Herbert", "published_year": 1965}


@pytest.fixture
def BookCreate(learner):
    return learner.require("schemas", "BookCreate").BookCreate


@pytest.fixture
def BookRead(learner):
    return learner.require("schemas", "BookRead").BookRead


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "get_db", "Base", "Book")


@pytest.fixture
def to_orm(learner):
    return learner.require("main", "to_orm").to_orm


@pytest.fixture
def db(main, db_client):
    """The learner's app, with get_db overridden to hand out sessions on a private database."""
    return db_client(main)


@pytest.fixture
def engine(db):
    return db.engine


@pytest.fixture
def client(db):
    return db.client


def stored_books(main, engine):
    """(id, title, author, published_year) of every row, read through a fresh session."""
    with Session(engine) as session:
        books = session.scalars(select(main.Book).order_by(main.Book.id)).all()
        return [(b.id, b.title, b.author, b.published_year) for b in books]


def this_year():
    return date.today().year


def refused(model, data):
    """True when model.model_validate(data) raises ValidationError."""
    try:
        model.model_validate(data)
    except ValidationError:
        return True
    return False


# --- Task 1: BookCreate -------------------------------------------------------------------


@pytest.mark.task(1)
def test_a_valid_book_is_accepted(BookCreate):
    try:
        book = BookCreate.model_validate(DUNE)
    except ValidationError as exc:
        raise AssertionError(f"BookCreate refused {DUNE}: {exc}") from None
    assert book.model_dump() == DUNE, f"BookCreate({DUNE}).model_dump() is {book.model_dump()}"


@pytest.mark.task(1)
@pytest.mark.hint("`published_year: int | None = None` (with its bounds) makes the year optional.")
def test_published_year_is_optional(BookCreate):
    data = {"title": "The Hobbit", "author": "J. R. R. Tolkien"}
    try:
        book = BookCreate.model_validate(data)
    except ValidationError as exc:
        raise AssertionError(f"BookCreate refused a book without a year: {exc}") from None
    assert book.model_dump() == {**data, "published_year": None}, (
        f"a book without a year dumps as {book.model_dump()}, expected published_year None"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("year", ["1450", "this year"])
@pytest.mark.hint(
    "Both bounds are inclusive: 1450 (`ge=1450`) and the current year, `date.today().year`. "
    "Compare against today's year; a year typed into the code is wrong next January."
)
def test_years_at_the_bounds_are_accepted(BookCreate, year):
    value = this_year() if year == "this year" else int(year)
    data = {**DUNE, "published_year": value}
    try:
        book = BookCreate.model_validate(data)
    except ValidationError as exc:
        raise AssertionError(f"BookCreate refused published_year={value}: {exc}") from None
    assert book.published_year == value


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("year", ["1400", "1449", "next year", "-5", "0"])
@pytest.mark.hint(
    "Refuse years before 1450 with `Field(ge=1450)` and years after the current one with a "
    "`field_validator` that compares with `date.today().year`. Only `None` skips the check: "
    "`if not year` lets the year 0 through."
)
def test_years_out_of_range_are_refused(BookCreate, year):
    value = this_year() + 1 if year == "next year" else int(year)
    data = {**DUNE, "published_year": value}
    assert refused(BookCreate, data), f"BookCreate accepted published_year={value}"


def a_year_on():
    """Today's date one year later (28 February for a 29th)."""
    today = date.today()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def move_the_clock_a_year_on(monkeypatch, modules):
    """From here on, today is a year later for the learner's code: `time.time` (which
    `date.today()` and `datetime.today()` read), `time.localtime` and `time.gmtime` move, and the
    names of the given modules bound to `date`, `datetime` or the `datetime` module are replaced
    with versions whose today() and now() moved."""
    offset = a_year_on() - date.today()
    seconds = offset.total_seconds()
    real_time = time.time

    class LaterDate(real_datetime.date):
        @classmethod
        def today(cls):
            return real_datetime.date.fromtimestamp(real_time()) + offset

    class LaterDateTime(real_datetime.datetime):
        @classmethod
        def today(cls):
            return real_datetime.datetime.fromtimestamp(real_time()) + offset

        @classmethod
        def now(cls, tz=None):
            return real_datetime.datetime.now(tz) + offset

    later_module = types.SimpleNamespace(**vars(real_datetime))
    later_module.date, later_module.datetime = LaterDate, LaterDateTime
    replacements = {
        id(real_datetime.date): LaterDate,
        id(real_datetime.datetime): LaterDateTime,
        id(real_datetime): later_module,
    }
    for module in modules:
        for name, value in list(vars(module).items()):
            if id(value) in replacements:
                monkeypatch.setattr(module, name, replacements[id(value)])
    real_localtime, real_gmtime = time.localtime, time.gmtime
    monkeypatch.setattr(time, "time", lambda: real_time() + seconds)
    monkeypatch.setattr(
        time, "localtime", lambda t=None: real_localtime(t or real_time() + seconds)
    )
    monkeypatch.setattr(time, "gmtime", lambda t=None: real_gmtime(t or real_time() + seconds))


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Read the current year when a book is validated, inside a validator: "
    "`date.today().year`. A year typed into the code, or one computed once when schemas.py is "
    "imported, stays behind when the calendar moves on."
)
def test_the_upper_bound_moves_with_the_calendar(learner, BookCreate, monkeypatch):
    next_year, later = this_year() + 1, a_year_on()
    data = {**DUNE, "published_year": next_year}
    assert refused(BookCreate, data), f"BookCreate accepted published_year={next_year}"
    move_the_clock_a_year_on(monkeypatch, [learner("schemas")])
    assert not refused(BookCreate, data), (
        f"with the clock moved on to {later}, BookCreate still refused "
        f"published_year={next_year}: its upper bound is not the year of the day it validates"
    )
    assert refused(BookCreate, {**DUNE, "published_year": next_year + 1}), (
        f"with the clock moved on to {later}, BookCreate accepted published_year={next_year + 1}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    "change",
    ["no title", "empty title", "title of 201", "no author", "empty author", "author of 101"],
)
@pytest.mark.hint(
    "`title: str = Field(min_length=1, max_length=200)` and the same for author with 100. "
    "A field without a default is required."
)
def test_bad_title_or_author_is_refused(BookCreate, change):
    words = change.split()
    data = dict(DUNE)
    if words[0] == "no":
        del data[words[1]]
    elif words[0] == "empty":
        data[words[1]] = ""
    else:  # "title of 201", "author of 101"
        data[words[0]] = "x" * int(words[2])
    assert refused(BookCreate, data), f"BookCreate accepted a book with {change}"


@pytest.mark.task(1)
@pytest.mark.hint("The limits are inclusive: max_length=200 accepts exactly 200 characters.")
def test_longest_title_and_author_are_accepted(BookCreate):
    data = {"title": "t" * 200, "author": "a" * 100}
    assert not refused(BookCreate, data), (
        "BookCreate refused a 200-character title with a 100-character author"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("key", ["id", "isbn"])
@pytest.mark.hint(
    'By default Pydantic ignores unknown keys. `model_config = ConfigDict(extra="forbid")` '
    "refuses them, so a client that sends an `id` learns at once that it can't choose one."
)
def test_unknown_keys_are_refused(BookCreate, key):
    data = {**DUNE, key: 7 if key == "id" else "978-0441013593"}
    assert refused(BookCreate, data), f"BookCreate accepted (and dropped) the key {key!r}"


# --- Task 2: BookRead ---------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "`BookRead.model_validate(book)` reads the attributes of an object only with "
    "`model_config = ConfigDict(from_attributes=True)`; without it Pydantic expects a dict. "
    "Pydantic 1's `class Config: orm_mode = True` does nothing in Pydantic 2."
)
@pytest.mark.parametrize("year", [1965, None])
def test_book_read_validates_a_stored_book(main, engine, BookRead, year):
    with Session(engine) as session:
        session.add(main.Book(title="Dune", author="Frank Herbert", published_year=year))
        session.commit()
    with Session(engine) as session:
        book = session.scalars(select(main.Book)).one()
        try:
            read = BookRead.model_validate(book)
        except ValidationError as exc:
            raise AssertionError(
                f"BookRead.model_validate(<a Book loaded from the database>) failed: {exc}"
            ) from None
        expected = {"id": book.id, "title": "Dune", "author": "Frank Herbert"}
    expected["published_year"] = year
    assert read.model_dump() == expected, (
        f"BookRead.model_validate(book).model_dump() is {read.model_dump()}, expected {expected}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("model_config = ConfigDict(from_attributes=True) on BookRead (or a base of it).")
def test_book_read_config_has_from_attributes(BookRead):
    config = getattr(BookRead, "model_config", {})
    assert config.get("from_attributes") is True, (
        f"BookRead.model_config is {dict(config)}: from_attributes is not True"
    )


@pytest.mark.task(2)
@pytest.mark.hint("BookRead describes a stored book, so `id: int` is required.")
def test_book_read_requires_an_id(BookRead):
    assert refused(BookRead, DUNE), f"BookRead accepted {DUNE}, which has no id"


# --- Task 3: to_orm -----------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Build the model from the validated data: `Book(**data.model_dump())`. Don't add it to a "
    "session: the caller decides when to store it."
)
def test_to_orm_returns_an_unsaved_book(main, to_orm, BookCreate):
    book = to_orm(BookCreate.model_validate(DUNE))
    assert isinstance(book, main.Book), f"to_orm returned {type(book).__name__}, not a Book"
    fields = (book.title, book.author, book.published_year)
    assert fields == ("Dune", "Frank Herbert", 1965), (
        f"to_orm gave a Book with title, author, published_year = {fields}"
    )
    state = inspect(book)
    assert state.transient, (
        "the Book from to_orm is already in a session or stored: it should be new and unsaved "
        f"(pending={state.pending}, persistent={state.persistent}, id={book.id!r})"
    )
    assert book.id is None, f"the unsaved Book already has the id {book.id!r}"


@pytest.mark.task(3)
def test_to_orm_without_a_year(main, to_orm, BookCreate):
    book = to_orm(BookCreate.model_validate({"title": "Emma", "author": "Austen"}))
    assert isinstance(book, main.Book), f"to_orm returned {type(book).__name__}, not a Book"
    assert book.published_year is None, f"published_year is {book.published_year!r}, not None"


@pytest.mark.task(3)
def test_the_book_from_to_orm_can_be_stored(main, engine, to_orm, BookCreate):
    book = to_orm(BookCreate.model_validate(DUNE))
    with Session(engine) as session:
        session.add(book)
        session.commit()
    rows = stored_books(main, engine)
    assert [row[1:] for row in rows] == [("Dune", "Frank Herbert", 1965)], (
        f"after storing the Book from to_orm the table holds {rows}"
    )


# --- Task 4: POST /books ------------------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    '`@app.post("/books", response_model=BookRead, status_code=201)`, a `payload: BookCreate` '
    "parameter, then `db.add(to_orm(payload))` and `db.commit()` on the session of get_db."
)
def test_post_answers_201_with_the_stored_book(main, engine, client):
    response = client.post("/books", json=DUNE)
    assert response.status_code == 201, (
        f"POST /books answered {response.status_code}, not 201: {response.text[:200]}"
    )
    body = response.json()
    rows = stored_books(main, engine)
    assert [row[1:] for row in rows] == [("Dune", "Frank Herbert", 1965)], (
        f"after POST /books a fresh session sees the rows {rows}: was the book committed?"
    )
    assert body == {"id": rows[0][0], **DUNE}, (
        f"POST /books answered {body}, expected {{'id': {rows[0][0]}, ...the book}}"
    )


@pytest.mark.task(4)
def test_post_without_a_year_answers_null(main, engine, client):
    response = client.post("/books", json={"title": "Emma", "author": "Jane Austen"})
    assert response.status_code == 201, (
        f"POST /books without a year answered {response.status_code}: {response.text[:200]}"
    )
    body = response.json()
    assert "published_year" in body and body["published_year"] is None, (
        f"POST /books without a year answered {body}, expected published_year null"
    )
    assert isinstance(body.get("id"), int), f"the answer's id is {body.get('id')!r}"


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.parametrize(
    "change",
    ["id sent", "unknown key", "year 1400", "year next year", "empty title"],
)
@pytest.mark.hint(
    "Type the body parameter as BookCreate: FastAPI then validates it and answers 422 before "
    "your handler runs."
)
def test_invalid_bodies_are_422_and_store_nothing(main, engine, client, change):
    payload = dict(DUNE)
    if change == "id sent":
        payload["id"] = 42
    elif change == "unknown key":
        payload["isbn"] = "978-0441013593"
    elif change == "year 1400":
        payload["published_year"] = 1400
    elif change == "year next year":
        payload["published_year"] = this_year() + 1
    else:
        payload["title"] = ""
    response = client.post("/books", json=payload)
    assert response.status_code == 422, (
        f"POST /books with {payload} answered {response.status_code}, not 422"
    )
    assert stored_books(main, engine) == [], "an invalid body still stored a row"
