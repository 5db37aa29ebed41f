import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    create_engine,
    insert,
    select,
    text,
)

TITLES = [  # inserted in this (unsorted) order
    ("Neuromancer", "William Gibson"),
    ("Dune", "Frank Herbert"),
    ("Solaris", "Stanislaw Lem"),
    ("Foundation", "Isaac Asimov"),
    ("Hyperion", "Dan Simmons"),
    ("Anathem", "Neal Stephenson"),
]
SORTED = sorted(title for title, _ in TITLES)


def flat(sql):
    """The SQL on one line, single-spaced, for substring checks."""
    return " ".join(str(sql).split())


def seed(engine, table):
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table), [{"title": t, "author": a} for t, a in TITLES])


def titles_of(engine, stmt):
    with engine.connect() as conn:
        return list(conn.scalars(stmt))


def shelf_select():
    """A statement the learner has never seen: a reserved word, concatenation, a quote."""
    shelf = Table(
        "shelf",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("order", String(20)),
        Column("first", String(50)),
        Column("last", String(50)),
    )
    return (
        select(shelf.c.order, (shelf.c.first + " " + shelf.c.last).label("name"))
        .where(shelf.c.last == "O'Brien")
        .order_by(shelf.c.order)
        .limit(5)
    )


@pytest.fixture
def abstraction(learner):
    return learner("abstraction")


@pytest.fixture
def books(learner):
    table = learner.require("abstraction", "books").books
    assert isinstance(table, Table), (
        f"abstraction.books should be the starter's Table, found {table!r}"
    )
    return table


@pytest.fixture
def engine(books, db_engine):
    engine = db_engine(books.metadata)
    seed(engine, books)
    return engine


def build(abstraction, n):
    stmt = abstraction.top_n_titles_stmt(n)
    assert isinstance(stmt, Select), (
        f"top_n_titles_stmt({n}) returned {type(stmt).__name__}, not a sqlalchemy Select"
    )
    return stmt


# -------------------------------------------------------------------- Task 1: the statement


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`select(books.c.title).order_by(books.c.title).limit(n)`: without order_by, which n rows "
    "come back is up to the database."
)
@pytest.mark.parametrize("n", [1, 3, 6, 50])
def test_statement_selects_first_n_titles_in_order(abstraction, engine, n):
    stmt = build(abstraction, n)
    got = titles_of(engine, stmt)
    assert got == SORTED[:n], (
        f"executing top_n_titles_stmt({n}) on six books gave {got}, expected {SORTED[:n]}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("Select only the title column: select(books.c.title), not select(books).")
def test_statement_selects_only_the_title_column(abstraction):
    stmt = build(abstraction, 2)
    columns = [c.name for c in stmt.selected_columns]
    assert columns == ["title"], f"top_n_titles_stmt selects the columns {columns}, not ['title']"


@pytest.mark.task(1)
@pytest.mark.hint("Check n first: `if n <= 0: raise ValueError(...)`. Zero rows is not a top-N.")
@pytest.mark.parametrize("n", [0, -1, -100])
def test_non_positive_n_is_value_error(abstraction, n):
    try:
        result = abstraction.top_n_titles_stmt(n)
    except ValueError:
        return
    raise AssertionError(
        f"top_n_titles_stmt({n}) returned {result!r} instead of raising ValueError"
    )


# ----------------------------------------------------------------------- Task 2: rendering


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})`, '
    "then str(): each dialect writes the limit its own way, and literal_binds puts the number in."
)
@pytest.mark.parametrize(
    "dialect, expected, absent",
    [
        ("sqlite", "LIMIT 3", "TOP 3"),
        ("postgresql", "LIMIT 3", "TOP 3"),
        ("mysql", "LIMIT 3", "TOP 3"),
        ("mssql", "SELECT TOP 3 ", "LIMIT"),
        ("oracle", "FETCH FIRST 3 ROWS ONLY", "LIMIT"),
    ],
    ids=["sqlite", "postgresql", "mysql", "mssql", "oracle"],
)
def test_limit_is_spelled_per_dialect(abstraction, dialect, expected, absent):
    sql = abstraction.render(build(abstraction, 3), dialect)
    assert isinstance(sql, str), f"render(..., {dialect!r}) returned {type(sql).__name__}, not str"
    line = flat(sql)
    assert expected in line.upper() and absent not in line.upper(), (
        f"for {dialect}, top_n_titles_stmt(3) rendered as {line!r}; expected it to contain "
        f"{expected!r}"
    )
    assert "books" in line and "title" in line, f"for {dialect}, the SQL was {line!r}"


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "render must compile whatever statement it is given with the named dialect: quoting of "
    "reserved words, string concatenation and escaping all differ, and only the dialect's "
    "compiler knows them. Don't rewrite the SQL of another dialect."
)
@pytest.mark.parametrize(
    "dialect, quoted, concat, limit",
    [
        ("sqlite", '"order"', "||", "LIMIT 5"),
        ("postgresql", '"order"', "||", "LIMIT 5"),
        ("mysql", "`order`", "concat(", "LIMIT 5"),
        ("mssql", "[order]", " + ", "TOP 5"),
        ("oracle", '"order"', "||", "FETCH FIRST 5 ROWS ONLY"),
    ],
    ids=["sqlite", "postgresql", "mysql", "mssql", "oracle"],
)
def test_any_statement_is_compiled_for_the_dialect(abstraction, dialect, quoted, concat, limit):
    sql = abstraction.render(shelf_select(), dialect)
    line = flat(sql)
    missing = [part for part in ("shelf", quoted, concat, "'O''Brien'", limit) if part not in line]
    assert not missing, (
        f"a select on a table 'shelf' (a column named order, first + ' ' + last, a filter on "
        f'"O\'Brien", limit 5) rendered for {dialect} as {line!r}, which lacks {missing}'
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Bound values stay placeholders (LIMIT ?, %(param_1)s) unless you compile with "
    'compile_kwargs={"literal_binds": True}.'
)
def test_values_are_written_inline(abstraction):
    line = flat(abstraction.render(build(abstraction, 4), "postgresql"))
    leftovers = [p for p in ("%(", "?", "POSTCOMPILE", ":param") if p in line]
    assert not leftovers, f"the PostgreSQL SQL still has placeholders {leftovers}: {line!r}"
    assert "LIMIT 4" in line.upper(), f"the PostgreSQL SQL for n=4 was {line!r}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "Keep your own table of the five supported names (a dict from name to dialect class) and "
    "raise ValueError for anything else. Loading any name SQLAlchemy happens to know accepts "
    "mariadb, and other names fail with an error that is not a ValueError. Look the name up as "
    'it is: no strip() or lower(), "SQLite" is not one of the five.'
)
@pytest.mark.parametrize(
    "name",
    ["mariadb", "db2", "nosuchdb", "", "SQLite", " postgresql ", "MySQL"],
    ids=["mariadb", "db2", "nosuchdb", "empty", "SQLite", "padded-postgresql", "MySQL"],
)
def test_unknown_dialect_is_value_error(abstraction, name):
    stmt = build(abstraction, 3)
    try:
        sql = abstraction.render(stmt, name)
    except ValueError:
        return
    except Exception as exc:
        raise AssertionError(
            f"render(stmt, {name!r}) raised {type(exc).__name__}: {exc}; expected ValueError"
        ) from None
    raise AssertionError(f"render(stmt, {name!r}) returned {flat(sql)!r}; expected ValueError")


# ----------------------------------------------------------------------------- Task 3: run


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`with engine.connect() as conn: return list(conn.scalars(top_n_titles_stmt(n)))`: "
    "use the engine you are given, it decides which database and dialect."
)
def test_run_on_a_memory_engine(abstraction, engine):
    got = abstraction.run(engine, 4)
    assert got == SORTED[:4], f"run(engine, 4) on six books returned {got!r}"
    assert all(type(t) is str for t in got), f"run returned {got!r}: titles should be str"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "run must only use the engine it is given (no engine of its own, no new engine from its "
    "URL: a second sqlite:// engine is a different, empty database)."
)
def test_run_gives_the_same_answer_on_a_file_engine(abstraction, books, engine, tmp_path):
    file_engine = create_engine(f"sqlite:///{tmp_path / 'books.db'}")
    try:
        seed(file_engine, books)
        for n in (1, 3, 10):
            on_file = abstraction.run(file_engine, n)
            in_memory = abstraction.run(engine, n)
            assert on_file == in_memory == SORTED[:n], (
                f"run(..., {n}) returned {in_memory!r} in memory and {on_file!r} from a file"
            )
        with file_engine.connect() as conn:
            count = conn.scalar(text("SELECT count(*) FROM books"))
        assert count == len(TITLES), f"after run the file database holds {count} books, not 6"
    finally:
        file_engine.dispose()


@pytest.mark.task(3)
@pytest.mark.hint("run builds its statement with top_n_titles_stmt, so n <= 0 is a ValueError.")
def test_run_rejects_non_positive_n(abstraction, engine):
    try:
        result = abstraction.run(engine, 0)
    except ValueError:
        return
    raise AssertionError(f"run(engine, 0) returned {result!r} instead of raising ValueError")
