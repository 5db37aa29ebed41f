import warnings

import pytest
from sqlalchemy import Integer, String, inspect, select, text
from sqlalchemy.exc import IntegrityError, NoInspectionAvailable, SADeprecationWarning
from sqlalchemy.orm import DeclarativeBase, DeclarativeBaseNoMeta, Session


@pytest.fixture
def Book(learner):
    book = learner.require("models", "Book").Book
    try:
        inspect(book)
    except NoInspectionAvailable:
        raise AssertionError(f"models.Book ({book!r}) is not a mapped class") from None
    return book


@pytest.fixture
def engine(learner, Book, db_engine):
    return db_engine(learner.require("models", "Base").Base.metadata)


@pytest.fixture
def columns(engine):
    """The books table as the database describes it."""
    found = inspect(engine).get_columns("books") if inspect(engine).has_table("books") else []
    assert found, "Base.metadata.create_all did not create a table named 'books'"
    return {c["name"]: c for c in found}


def save(engine, Book, **fields):
    with Session(engine) as session:
        book = Book(**fields)
        session.add(book)
        session.commit()
        return book.id


def stored(engine):
    """The rows, read through a fresh session with the test's own SQL."""
    with Session(engine) as session:
        rows = session.execute(
            text("SELECT id, title, author, published_year FROM books ORDER BY id")
        )
        return [tuple(row) for row in rows]


# ----------------------------------------------------------------------- Task 1: the base


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`from sqlalchemy.orm import DeclarativeBase` and `class Base(DeclarativeBase): pass`; "
    "Base = declarative_base() is the 1.x style."
)
def test_base_subclasses_declarative_base(learner):
    base = learner.require("models", "Base").Base
    ok = isinstance(base, type) and issubclass(base, DeclarativeBase | DeclarativeBaseNoMeta)
    assert ok, (
        f"models.Base ({base!r}) is not a subclass of sqlalchemy.orm.DeclarativeBase: "
        "write `class Base(DeclarativeBase)` instead of calling declarative_base()"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "sqlalchemy.ext.declarative.declarative_base() warns MovedIn20Warning; "
    "use class Base(DeclarativeBase)."
)
def test_importing_models_emits_no_deprecation_warning(learner):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        learner.require("models", "Base", fresh=True)
    deprecated = [w for w in caught if issubclass(w.category, SADeprecationWarning)]
    assert not deprecated, (
        f"importing models.py warned {deprecated[0].category.__name__}: {deprecated[0].message}"
    )


# ---------------------------------------------------------------------- Task 2: the columns


@pytest.mark.task(2)
@pytest.mark.hint('Set `__tablename__ = "books"` and declare exactly the four columns.')
def test_books_table_has_the_four_columns(Book, columns):
    assert sorted(columns) == ["author", "id", "published_year", "title"], (
        f"the books table has the columns {sorted(columns)}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("`id: Mapped[int] = mapped_column(primary_key=True)`")
def test_id_is_the_integer_primary_key(engine, Book, columns):
    primary_key = inspect(engine).get_pk_constraint("books")["constrained_columns"]
    assert primary_key == ["id"], f"the books table's primary key is {primary_key}, not ['id']"
    assert isinstance(columns["id"]["type"], Integer), f"id is {columns['id']['type']}, not INTEGER"
    try:
        first = save(engine, Book, title="Dune", author="Frank Herbert")
        second = save(engine, Book, title="Solaris", author="Stanislaw Lem")
    except IntegrityError as exc:
        raise AssertionError(
            f"saving a Book without an id failed ({exc.orig}): the database does not assign "
            f"the id of a {columns['id']['type']} primary key"
        ) from None
    assert type(first) is int and type(second) is int and first != second, (
        f"two saved books got the ids {first!r} and {second!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`title: Mapped[str] = mapped_column(String(200))`: Mapped[str] (not str | None) makes it "
    "NOT NULL, String(200) gives the length. The same for author with String(100)."
)
@pytest.mark.parametrize(
    "name, length",
    [("title", 200), ("author", 100)],
    ids=["title", "author"],
)
def test_string_columns_have_length_and_are_not_null(columns, name, length):
    column = columns.get(name)
    assert column is not None, f"the books table has no {name} column"
    kind = column["type"]
    assert isinstance(kind, String) and kind.length == length, (
        f"{name} is stored as {kind}, not VARCHAR({length}): use mapped_column(String({length}))"
    )
    assert column["nullable"] is False, f"{name} allows NULL: annotate it Mapped[str]"


@pytest.mark.task(2)
@pytest.mark.hint("`published_year: Mapped[int | None]`: an optional integer column.")
def test_published_year_is_a_nullable_integer(columns):
    column = columns.get("published_year")
    assert column is not None, "the books table has no published_year column"
    assert isinstance(column["type"], Integer), (
        f"published_year is stored as {column['type']}, not INTEGER"
    )
    assert column["nullable"] is True, "published_year is NOT NULL: annotate it Mapped[int | None]"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("`author: Mapped[str] = mapped_column(String(100), index=True)`")
def test_author_is_indexed(engine, columns):
    indexes = inspect(engine).get_indexes("books")
    on_author = [ix for ix in indexes if ix["column_names"] == ["author"]]
    assert on_author, (
        "the database has no index on books.author (indexes found: "
        f"{[(ix['name'], ix['column_names']) for ix in indexes]})"
    )


@pytest.mark.task(2)
@pytest.mark.hint("index=True, not unique=True: one author writes many books.")
def test_an_author_can_have_several_books(engine, Book):
    try:
        save(engine, Book, title="Dune", author="Frank Herbert", published_year=1965)
        save(engine, Book, title="Dune Messiah", author="Frank Herbert", published_year=1969)
    except IntegrityError as exc:
        raise AssertionError(
            f"storing a second book by the same author failed: {exc.orig}"
        ) from None
    assert [row[1] for row in stored(engine)] == ["Dune", "Dune Messiah"]


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Book(title=..., author=..., published_year=...) with the default constructor; "
    "session.add(), commit(), then select(Book) in a new session finds it."
)
def test_create_read_update_delete(engine, Book):
    book_id = save(engine, Book, title="Dune", author="Frank Herbert", published_year=1965)
    assert type(book_id) is int, f"a saved Book got the id {book_id!r}, not an int"
    assert stored(engine) == [(book_id, "Dune", "Frank Herbert", 1965)], (
        f"after saving Dune the table holds {stored(engine)}"
    )
    with Session(engine) as session:
        book = session.scalars(select(Book).where(Book.author == "Frank Herbert")).one()
        assert (book.id, book.title, book.published_year) == (book_id, "Dune", 1965), (
            f"loaded back as id={book.id!r}, title={book.title!r}, year={book.published_year!r}"
        )
        book.published_year = 1966
        session.commit()
    assert stored(engine) == [(book_id, "Dune", "Frank Herbert", 1966)], (
        f"after changing published_year to 1966 the table holds {stored(engine)}"
    )
    with Session(engine) as session:
        session.delete(session.get(Book, book_id))
        session.commit()
    assert stored(engine) == [], f"after deleting the book the table holds {stored(engine)}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "A Mapped[int | None] attribute may be left out of Book(...); it is stored as NULL."
)
def test_published_year_may_be_left_out(engine, Book):
    try:
        book_id = save(engine, Book, title="The Hobbit", author="J. R. R. Tolkien")
    except (IntegrityError, TypeError) as exc:
        raise AssertionError(
            "a Book without published_year could not be saved: "
            f"{type(exc).__name__}: {getattr(exc, 'orig', None) or exc}"
        ) from None
    assert stored(engine) == [(book_id, "The Hobbit", "J. R. R. Tolkien", None)], (
        f"a book saved without a year is stored as {stored(engine)}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Mapped[str] makes the column NOT NULL, so the database itself refuses None and "
    "commit() raises IntegrityError."
)
@pytest.mark.parametrize(
    "fields",
    [
        {"title": None, "author": "Frank Herbert", "published_year": 1965},
        {"title": "Dune", "author": None, "published_year": 1965},
    ],
    ids=["no-title", "no-author"],
)
def test_null_title_or_author_is_integrity_error(engine, Book, fields):
    missing = "title" if fields["title"] is None else "author"
    with Session(engine) as session:
        session.add(Book(**fields))
        try:
            session.commit()
        except IntegrityError:
            return
    raise AssertionError(
        f"a Book with {missing}=None was stored ({stored(engine)}): {missing} must be NOT NULL"
    )


# ------------------------------------------------------------------------- Task 3: __repr__


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint('return f"Book(id={self.id!r}, title={self.title!r})"')
def test_repr_of_a_saved_book(engine, Book):
    book_id = save(engine, Book, title="Dune", author="Frank Herbert", published_year=1965)
    with Session(engine) as session:
        shown = repr(session.get(Book, book_id))
    assert shown == f"Book(id={book_id}, title='Dune')", (
        f"repr of the saved book Dune (id {book_id}) is {shown!r}"
    )


@pytest.mark.task(3)
@pytest.mark.hint("A book not saved yet has id None: !r shows it as None.")
def test_repr_of_an_unsaved_book(Book):
    shown = repr(Book(title="Dune", author="Frank Herbert"))
    assert shown == "Book(id=None, title='Dune')", f"repr of an unsaved Dune is {shown!r}"


@pytest.mark.task(3)
@pytest.mark.hint(
    "Format the title with !r (repr), not between hand-written quotes: repr picks the quote "
    "character that keeps the text readable."
)
def test_repr_quotes_the_title_like_python(engine, Book):
    book_id = save(engine, Book, title="Ender's Game", author="Orson Scott Card")
    with Session(engine) as session:
        shown = repr(session.get(Book, book_id))
    assert shown == f'Book(id={book_id}, title="Ender\'s Game")', (
        f"repr of the saved book Ender's Game (id {book_id}) is {shown!r}"
    )
