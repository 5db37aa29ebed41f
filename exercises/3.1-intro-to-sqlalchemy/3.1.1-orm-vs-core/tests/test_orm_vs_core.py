import ast

import pytest
from sqlalchemy import Integer, String, Table, event, inspect, text
from sqlalchemy.exc import NoInspectionAvailable
from sqlalchemy.orm import Session

DUNE = ("Dune", "Frank Herbert")
LE_GUIN = "Ursula K. Le Guin"
SEED = [
    ("The Left Hand of Darkness", LE_GUIN),
    ("Dune Messiah", "Frank Herbert"),
    ("A Wizard of Earthsea", LE_GUIN),
    ("The Dispossessed", LE_GUIN),
    ("Neuromancer", "William Gibson"),
]
LE_GUIN_TITLES = ["A Wizard of Earthsea", "The Dispossessed", "The Left Hand of Darkness"]
# Two books with the same title by one author, and authors whose names differ only in case.
LOOKALIKES = [
    ("Dune", "Frank Herbert"),
    ("Dune", "Frank Herbert"),
    ("Dune Messiah", "Frank Herbert"),
    ("Whipping Star", "frank herbert"),
    ("The Dosadi Experiment", "FRANK HERBERT"),
]


# ------------------------------------------------------------------------------------ helpers


def books_table(db):
    table = db.books_table
    assert isinstance(table, Table), f"db.books_table should be a sqlalchemy Table, found {table!r}"
    return table


def rows_in_db(engine):
    """What the table holds, read through a fresh session with the test's own SQL."""
    with Session(engine) as session:
        rows = session.execute(text("SELECT id, title, author FROM books ORDER BY id"))
        return [tuple(row) for row in rows]


def seed(engine, rows=SEED):
    """Rows written with the test's own SQL, committed; returns their ids."""
    with engine.begin() as conn:
        for title, author in rows:
            conn.execute(
                text("INSERT INTO books (title, author) VALUES (:t, :a)"), {"t": title, "a": author}
            )
        return {t: i for i, t in conn.execute(text("SELECT id, title FROM books"))}


class SessionSpy:
    """Records every Session that begins a transaction or runs an ORM statement."""

    def __init__(self):
        self.events = []

    def __enter__(self):
        event.listen(Session, "after_begin", self._begin)
        event.listen(Session, "do_orm_execute", self._execute)
        return self

    def __exit__(self, *exc):
        event.remove(Session, "after_begin", self._begin)
        event.remove(Session, "do_orm_execute", self._execute)

    def _begin(self, session, transaction, connection):
        self.events.append("a Session began a transaction")

    def _execute(self, orm_context):
        self.events.append(f"a Session executed {orm_context.statement}")


class StatementSpy:
    """Records every statement run on an engine that names an ORM class (select(Book...),
    insert(Book), Book.author == ...) instead of the Core Table."""

    def __init__(self, engine):
        self.engine = engine
        self.orm = []

    def __enter__(self):
        event.listen(self.engine, "before_execute", self._execute)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_execute", self._execute)

    def _execute(self, conn, clauseelement, multiparams, params, execution_options):
        described = getattr(clauseelement, "column_descriptions", None) or []
        entities = [d.get("entity") for d in described if isinstance(d, dict)]
        entity = getattr(clauseelement, "entity_description", None)
        if isinstance(entity, dict):
            entities.append(entity.get("entity"))
        plugin = getattr(clauseelement, "_propagate_attrs", {}).get("compile_state_plugin")
        if plugin == "orm" or any(e is not None for e in entities):
            self.orm.append(str(clauseelement).split("\n")[0])


@pytest.fixture
def db(learner):
    return learner.require("db", "books_table")


@pytest.fixture
def book_cls(learner):
    book = learner.require("db", "Book").Book
    try:
        inspect(book)
    except NoInspectionAvailable:
        raise AssertionError(f"db.Book ({book!r}) is not a mapped class") from None
    return book


@pytest.fixture
def engine(db, db_engine):
    return db_engine(books_table(db).metadata)


# ------------------------------------------------------------------------ Task 1: the table


@pytest.mark.task(1)
@pytest.mark.hint(
    'Table("books", metadata, Column("id", Integer, primary_key=True), '
    'Column("title", String(200), nullable=False), Column("author", String(100), nullable=False))'
)
def test_books_table_has_the_three_columns(db):
    table = books_table(db)
    assert table.name == "books", f"books_table is named {table.name!r}, not 'books'"
    columns = sorted(c.name for c in table.columns)
    assert columns == ["author", "id", "title"], f"books_table has the columns {columns}"
    primary_key = [c.name for c in table.primary_key.columns]
    assert primary_key == ["id"], f"books_table's primary key is {primary_key}, not ['id']"
    nullable = [name for name in ("title", "author") if table.c[name].nullable]
    assert not nullable, f"{', '.join(nullable)} may be NULL: declare nullable=False"
    assert isinstance(table.c.id.type, Integer), f"books_table.c.id has type {table.c.id.type!r}"
    untyped = [
        f"{name} ({table.c[name].type!r})"
        for name in ("title", "author")
        if not isinstance(table.c[name].type, String)
    ]
    assert not untyped, f"these columns are not strings: {', '.join(untyped)}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Map the class onto the Table object itself with `__table__ = books_table` instead of "
    "declaring the columns a second time with __tablename__ and mapped_column()."
)
def test_book_is_mapped_onto_books_table_itself(db, book_cls):
    table = books_table(db)
    mapped = inspect(book_cls).local_table
    assert mapped is table, (
        f"Book is mapped onto {mapped!r} (a Table object of its own), not onto db.books_table"
    )


# --------------------------------------------------------------------- Task 2: Core functions


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`result = conn.execute(insert(books_table).values(title=..., author=...))`; the new id is "
    "`result.inserted_primary_key[0]`."
)
def test_core_insert_writes_a_row_and_returns_its_id(db, engine):
    with engine.begin() as conn:
        first = db.core_insert(conn, *DUNE)
        second = db.core_insert(conn, "Dune Messiah", "Frank Herbert")
    assert type(first) is int and type(second) is int, (
        f"core_insert returned {first!r} and {second!r}: it should return the new id, an int"
    )
    rows = rows_in_db(engine)
    assert rows == [(first, *DUNE), (second, "Dune Messiah", "Frank Herbert")], (
        f"after two core_insert calls (ids {first}, {second}) the table holds {rows}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "select(books_table.c.title).where(books_table.c.author == author).order_by(...); "
    "`conn.scalars(stmt).all()` gives the first column of each row as plain values."
)
def test_core_titles_by_returns_sorted_strings(db, engine):
    seed(engine)
    with engine.connect() as conn:
        titles = db.core_titles_by(conn, LE_GUIN)
    assert isinstance(titles, list), f"core_titles_by returned {type(titles).__name__}, not list"
    kinds = sorted({type(t).__name__ for t in titles if type(t) is not str})
    assert not kinds, (
        f"core_titles_by returned {', '.join(kinds)} objects: Core gives back plain values, "
        "return the titles as str"
    )
    assert titles == LE_GUIN_TITLES, f"core_titles_by({LE_GUIN!r}) returned {titles}"


@pytest.mark.task(2)
@pytest.mark.hint("No matching rows is not an error: return an empty list.")
def test_core_titles_by_unknown_author_is_empty(db, engine):
    seed(engine)
    with engine.connect() as conn:
        titles = db.core_titles_by(conn, "Nobody At All")
    assert titles == [], f"core_titles_by for an unknown author returned {titles!r}, not []"


@pytest.mark.task(2)
@pytest.mark.hint(
    "Compare the author with `==`: like() treats % and _ as wildcards (and ignores case on "
    "SQLite), and distinct() merges two books that share a title. Each matching book gives "
    "its title once."
)
def test_core_titles_by_matches_the_author_exactly(db, engine):
    seed(engine, LOOKALIKES)
    with engine.connect() as conn:
        found = {a: db.core_titles_by(conn, a) for a in ("Frank Herbert", "frank herbert", "%")}
    expected = {
        "Frank Herbert": ["Dune", "Dune", "Dune Messiah"],
        "frank herbert": ["Whipping Star"],
        "%": [],
    }
    assert found == expected, (
        "with two books titled 'Dune' by 'Frank Herbert' and books by 'frank herbert' and "
        f"'FRANK HERBERT', core_titles_by answered {found}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Core runs statements on the Connection it is given: `conn.execute(...)`, `conn.scalars(...)`."
    " Wrapping the connection in a Session (or querying Book) is the ORM, not Core."
)
def test_core_functions_use_no_session(db, engine):
    seed(engine)
    with SessionSpy() as spy, engine.begin() as conn:
        db.core_insert(conn, *DUNE)
        db.core_titles_by(conn, "Frank Herbert")
    assert not spy.events, "the Core functions used the ORM: " + "; ".join(spy.events[:3])


@pytest.mark.task(2)
@pytest.mark.hint(
    "Don't call conn.commit() or open `with conn.begin():` inside core_insert: the caller's "
    "`with engine.begin() as conn:` block commits (or rolls back) the whole unit of work."
)
def test_core_insert_leaves_the_transaction_to_the_caller(db, engine):
    with engine.connect() as conn:
        db.core_insert(conn, *DUNE)
        conn.rollback()
    rows = rows_in_db(engine)
    assert rows == [], (
        f"the caller rolled back after core_insert, yet the table holds {rows}: "
        "core_insert committed on its own"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Core statements are built on the Table: insert(books_table), select(books_table.c.title), "
    "books_table.c.author == author. select(Book.title) or Book.author is the ORM's mapped class."
)
def test_core_functions_do_not_use_book(db, engine):
    seed(engine)
    with StatementSpy(engine) as spy, engine.begin() as conn:
        db.core_insert(conn, *DUNE)
        titles = db.core_titles_by(conn, "Frank Herbert")
    # Sorting is checked on its own (test_core_titles_by_returns_sorted_strings).
    assert sorted(titles) == ["Dune", "Dune Messiah"], f"core_titles_by returned {titles}"
    assert not spy.orm, "the Core functions ran statements built on Book: " + "; ".join(spy.orm[:2])


@pytest.mark.task(2)
@pytest.mark.hint(
    "core_titles_by only reads: no conn.commit() or conn.rollback() in it. It must see what the "
    "caller wrote in the open transaction and leave that transaction for the caller to end."
)
def test_core_titles_by_leaves_the_transaction_to_the_caller(db, engine):
    with engine.connect() as conn:
        db.core_insert(conn, *DUNE)
        titles = db.core_titles_by(conn, "Frank Herbert")
        assert titles == ["Dune"], (
            f"core_titles_by returned {titles} right after core_insert of Dune on the same "
            "connection: it ended the caller's transaction"
        )
        conn.rollback()
    rows = rows_in_db(engine)
    assert rows == [], (
        f"the caller rolled back after core_insert and core_titles_by, yet the table holds {rows}:"
        " core_titles_by committed"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Build statements with insert() and select() on books_table; text() and exec_driver_sql() "
    "send SQL strings that SQLAlchemy cannot check or adapt to another database."
)
def test_no_textual_sql_in_db_py(learner, db, engine):
    with engine.begin() as conn:  # nothing to check while the Core functions are still stubs
        assert type(db.core_insert(conn, *DUNE)) is int, "core_insert does not return an id yet"
    tree = ast.parse(learner.source("db.py"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"imports text (line {node.lineno})" for a in node.names if a.name == "text"]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in ("text", "exec_driver_sql"):
                found.append(f"calls {name}() (line {node.lineno})")
    assert not found, "db.py uses textual SQL: " + "; ".join(found)


# ---------------------------------------------------------------------- Task 3: ORM functions


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`book = Book(title=title, author=author)`, `session.add(book)`, then `session.flush()`: "
    "the flush sends the INSERT, so book.id is set before anyone commits."
)
def test_orm_add_returns_a_flushed_book(db, engine, book_cls):
    with Session(engine) as session:
        book = db.orm_add(session, *DUNE)
        assert isinstance(book, book_cls), f"orm_add returned {book!r}, not a Book"
        state = inspect(book)
        assert state.persistent, (
            "the Book returned by orm_add is not flushed to the database yet (its state is "
            f"{'pending' if state.pending else 'transient'}): call session.flush()"
        )
        book_id = book.id
        assert type(book_id) is int, f"the returned Book has id {book_id!r}, not an int"
        assert (book.title, book.author) == DUNE, (
            f"orm_add returned {book.title!r} by {book.author!r}"
        )
        session.commit()
    rows = rows_in_db(engine)
    assert rows == [(book_id, *DUNE)], f"after orm_add and a commit the table holds {rows}"


@pytest.mark.task(3)
@pytest.mark.hint("Flush, don't commit: the caller's session.commit() or rollback() decides.")
def test_orm_add_leaves_the_commit_to_the_caller(db, engine):
    with Session(engine) as session:
        db.orm_add(session, *DUNE)
        session.rollback()
    rows = rows_in_db(engine)
    assert rows == [], (
        f"the caller rolled back after orm_add, yet the table holds {rows}: orm_add committed"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "orm_by_author only reads: no session.commit() or session.rollback() in it. It must see what "
    "the caller added in the open transaction and leave that transaction to the caller."
)
def test_orm_by_author_leaves_the_transaction_to_the_caller(db, engine):
    with Session(engine) as session:
        db.orm_add(session, *DUNE)
        titles = [b.title for b in db.orm_by_author(session, "Frank Herbert")]
        assert titles == ["Dune"], (
            f"orm_by_author returned {titles} right after orm_add of Dune in the same session: "
            "it ended the caller's transaction"
        )
        session.rollback()
    rows = rows_in_db(engine)
    assert rows == [], (
        f"the caller rolled back after orm_add and orm_by_author, yet the table holds {rows}: "
        "orm_by_author committed"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`session.scalars(select(Book).where(Book.author == author).order_by(Book.title)).all()`"
)
def test_orm_by_author_returns_sorted_books(db, engine, book_cls):
    ids = seed(engine)
    with Session(engine) as session:
        books = db.orm_by_author(session, LE_GUIN)
        assert isinstance(books, list), f"orm_by_author returned {type(books).__name__}, not list"
        wrong = [b for b in books if not isinstance(b, book_cls)]
        assert not wrong, f"orm_by_author returned {wrong[0]!r}, not Book objects"
        got = [(b.id, b.title, b.author) for b in books]
        assert got == [(ids[t], t, LE_GUIN) for t in LE_GUIN_TITLES], (
            f"orm_by_author({LE_GUIN!r}) returned (id, title, author) {got}"
        )
        assert db.orm_by_author(session, "Nobody At All") == [], (
            "orm_by_author for an unknown author did not return []"
        )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Load the objects through the session (session.scalars(select(Book)...)) instead of "
    "building Book(...) objects yourself: the session's identity map then hands back the object "
    "it already holds for each row."
)
def test_identity_map_gives_the_same_object(db, engine, book_cls):
    seed(engine)
    with Session(engine) as session:
        added = db.orm_add(session, *DUNE)
        # In whatever order the books come (sorting is checked on its own).
        loaded = db.orm_by_author(session, "Frank Herbert")
        titles = sorted(b.title for b in loaded)
        assert titles == ["Dune", "Dune Messiah"], (
            f"orm_by_author('Frank Herbert') returned {titles} after orm_add"
        )
        loaded_dune = next(b for b in loaded if b.title == "Dune")
        assert loaded_dune is added, (
            "orm_by_author returned a different Python object for the book orm_add just added "
            "to the same session"
        )
        again = {b.title: b for b in db.orm_by_author(session, "Frank Herbert")}
        different = sorted(b.title for b in loaded if again.get(b.title) is not b)
        assert not different, (
            f"loading the same rows twice in one session gave different objects for {different}"
        )
        assert session.get(book_cls, added.id) is added, (
            "session.get(Book, id) found a different object than the one orm_add returned"
        )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint("Both layers read and write the same books table: rows are shared both ways.")
def test_both_layers_see_the_same_rows(db, engine):
    with engine.begin() as conn:
        core_id = db.core_insert(conn, *DUNE)
    with Session(engine) as session:
        books = db.orm_by_author(session, "Frank Herbert")
        seen = [(b.id, b.title) for b in books]
        assert seen == [(core_id, "Dune")], (
            f"after core_insert of Dune (id {core_id}), orm_by_author returned {seen}"
        )
        db.orm_add(session, "Children of Dune", "Frank Herbert")
        session.commit()
    with engine.connect() as conn:
        titles = db.core_titles_by(conn, "Frank Herbert")
    assert sorted(titles) == ["Children of Dune", "Dune"], (
        f"after orm_add of 'Children of Dune' and a commit, core_titles_by returned {titles}"
    )
