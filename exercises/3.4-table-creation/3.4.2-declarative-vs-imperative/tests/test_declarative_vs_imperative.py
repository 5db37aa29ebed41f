import ast

import pytest
from sqlalchemy import Table, inspect, select, text
from sqlalchemy.exc import NoInspectionAvailable
from sqlalchemy.orm import DeclarativeBase, DeclarativeBaseNoMeta, Session

# (name, type, nullable, primary key) as SQLite reports them for the books table.
EXPECTED = [
    ("author", "VARCHAR(100)", False, False),
    ("id", "INTEGER", False, True),
    ("published_year", "INTEGER", True, False),
    ("title", "VARCHAR(200)", False, False),
]
BOOKS = [
    {"title": "Dune Messiah", "author": "Frank Herbert", "published_year": 1969},
    {"title": "Neuromancer", "author": "William Gibson", "published_year": 1984},
    {"title": "Dune", "author": "Frank Herbert", "published_year": 1965},
]
HOBBIT = {"title": "The Hobbit", "author": "J. R. R. Tolkien"}  # no year: stored as NULL
SAVED_ROWS = [tuple(b.values()) for b in BOOKS] + [("The Hobbit", "J. R. R. Tolkien", None)]


# ------------------------------------------------------------------------------------ helpers


def mapped(cls, where):
    try:
        inspect(cls)
    except NoInspectionAvailable:
        raise AssertionError(f"{where} ({cls!r}) is not a mapped class") from None
    return cls


def columns_in(engine):
    db = inspect(engine)
    assert db.has_table("books"), "create_all did not create a table named 'books'"
    return sorted(
        (c["name"], str(c["type"]), bool(c["nullable"]), bool(c["primary_key"]))
        for c in db.get_columns("books")
    )


def rows_in(engine):
    """The rows, read with the test's own SQL."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT title, author, published_year FROM books ORDER BY id"))
        return [tuple(row) for row in rows]


def save_all(engine, cls, books):
    with Session(engine) as session:
        session.add_all([cls(**book) for book in books])
        session.commit()


def by_author(engine, cls, author):
    """(type, title, year) of the author's books, loaded through the mapping."""
    with Session(engine) as session:
        books = session.scalars(select(cls).where(cls.author == author).order_by(cls.title))
        return [(type(b), b.title, b.published_year) for b in books]


@pytest.fixture
def DeclBook(learner):
    decl = learner.require("decl", "DeclBook", "Base")
    return mapped(decl.DeclBook, "decl.DeclBook")


@pytest.fixture
def decl_engine(learner, DeclBook, db_engine):
    return db_engine(learner("decl").Base.metadata)


@pytest.fixture
def imperative(learner):
    return learner("imperative")


@pytest.fixture
def books_table(learner, imperative):
    table = learner.require("imperative", "books_table").books_table
    assert isinstance(table, Table), f"imperative.books_table is {table!r}, not a sqlalchemy Table"
    return table


@pytest.fixture
def ImpBook(learner, imperative, books_table):
    # imperative.py has run, so the class in domain.py is mapped now.
    return mapped(learner.require("domain", "ImpBook").ImpBook, "domain.ImpBook")


@pytest.fixture
def imp_engine(books_table, ImpBook, db_engine):
    return db_engine(books_table.metadata)


# ---------------------------------------------------------------- Task 1: the declarative side


@pytest.mark.task(1)
@pytest.mark.hint(
    'class DeclBook(Base) with __tablename__ = "books" and mapped_column() attributes: the '
    "declarative style writes the table in the class, not in a separate Table object."
)
def test_decl_book_is_declared_on_a_declarative_base(learner, DeclBook):
    base = learner("decl").Base
    ok = isinstance(base, type) and issubclass(base, DeclarativeBase | DeclarativeBaseNoMeta)
    assert ok, f"decl.Base ({base!r}) is not a subclass of sqlalchemy.orm.DeclarativeBase"
    assert issubclass(DeclBook, base), "DeclBook does not subclass decl.Base"
    tablename = getattr(DeclBook, "__tablename__", None)
    assert tablename == "books", (
        f"DeclBook.__tablename__ is {tablename!r}, not 'books': declare the columns in the class "
        "with __tablename__ and mapped_column(), don't assign a Table to __table__"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Mapped[str] is NOT NULL and Mapped[int | None] allows NULL; the lengths go in "
    "mapped_column(String(200)) and mapped_column(String(100))."
)
def test_decl_books_table_has_the_schema(decl_engine):
    found = columns_in(decl_engine)
    assert found == EXPECTED, (
        f"Base.metadata.create_all made the books columns (name, type, nullable, pk) {found}, "
        f"expected {EXPECTED}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint("DeclBook(title=..., author=..., published_year=...), session.add(), commit().")
def test_decl_book_persists_and_queries(decl_engine, DeclBook):
    save_all(decl_engine, DeclBook, BOOKS)
    save_all(decl_engine, DeclBook, [HOBBIT])
    rows = rows_in(decl_engine)
    assert rows == SAVED_ROWS, (
        f"after saving four DeclBooks (the last without a year) the table holds {rows}"
    )
    found = by_author(decl_engine, DeclBook, "Frank Herbert")
    assert found == [(DeclBook, "Dune", 1965), (DeclBook, "Dune Messiah", 1969)], (
        f"select(DeclBook) for Frank Herbert, ordered by title, gave {found}"
    )


# ------------------------------------------------------------------ Task 2: the plain domain class


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "domain.py is pure Python: no `import sqlalchemy`, no `from sqlalchemy... import ...`, not "
    "even Mapped for annotations. Everything SQLAlchemy goes in imperative.py."
)
def test_domain_py_does_not_import_sqlalchemy(learner):
    cls = learner.require("domain", "ImpBook").ImpBook
    try:  # nothing to check while ImpBook is still the starter's stub
        cls(title="Dune", author="Frank Herbert", published_year=1965)
    except TypeError as exc:
        raise AssertionError(f"ImpBook(title=..., author=..., published_year=...) failed: {exc}")
    tree = ast.parse(learner.source("domain.py"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        found += [f"line {node.lineno}: {n}" for n in names if n.split(".")[0] == "sqlalchemy"]
    assert not found, "domain.py imports SQLAlchemy (" + "; ".join(found) + ")"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "ImpBook needs no base class: an __init__(self, title, author, published_year=None) that "
    "stores the three values (or a @dataclass). It must stay a plain class until imperative.py "
    "maps it."
)
def test_imp_book_is_a_plain_class_until_imperative_maps_it(learner):
    # domain.py alone: imperative.py has not run
    cls = learner.require("domain", "ImpBook", fresh=True).ImpBook
    assert isinstance(cls, type), f"domain.ImpBook is {cls!r}, not a class"
    assert inspect(cls, raiseerr=False) is None, (
        "domain.ImpBook is already mapped before imperative.py runs: it should be a plain class"
    )
    from_sqlalchemy = [c.__name__ for c in cls.__mro__ if c.__module__.startswith("sqlalchemy")]
    assert not from_sqlalchemy, f"ImpBook inherits from SQLAlchemy's {from_sqlalchemy}"
    try:
        book = cls(title="Dune", author="Frank Herbert", published_year=1965)
        undated = cls(title="The Hobbit", author="J. R. R. Tolkien")
    except TypeError as exc:
        raise AssertionError(
            f"ImpBook(title=..., author=..., published_year=...) failed: {exc}"
        ) from None
    got = (book.title, book.author, book.published_year, undated.published_year)
    assert got == ("Dune", "Frank Herbert", 1965, None), (
        f"ImpBook(...) holds (title, author, year, year when left out) {got}"
    )


# ------------------------------------------------------------------ Task 3: the imperative mapping


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    'books_table = Table("books", mapper_registry.metadata, Column(...), ...), then '
    "mapper_registry.map_imperatively(ImpBook, books_table). The classical mapper() was removed "
    "in SQLAlchemy 2.0."
)
def test_imp_book_is_mapped_onto_books_table(learner, books_table, ImpBook):
    assert books_table.name == "books", f"books_table is named {books_table.name!r}"
    assert inspect(ImpBook).local_table is books_table, (
        f"ImpBook is mapped onto {inspect(ImpBook).local_table!r}, not onto imperative.books_table"
    )
    registry = learner.require("imperative", "mapper_registry").mapper_registry
    assert inspect(ImpBook).registry is registry, (
        "ImpBook is not mapped by imperative.mapper_registry: use "
        "mapper_registry.map_imperatively(ImpBook, books_table)"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    'Put the table in the registry\'s own MetaData: Table("books", mapper_registry.metadata, '
    "...). A separate MetaData() leaves mapper_registry.metadata empty, so "
    "mapper_registry.metadata.create_all(engine) creates nothing."
)
def test_registry_metadata_creates_the_books_table(learner, books_table, ImpBook, db_engine):
    registry = learner.require("imperative", "mapper_registry").mapper_registry
    engine = db_engine(registry.metadata)
    created = sorted(inspect(engine).get_table_names())
    assert created == ["books"], (
        f"mapper_registry.metadata.create_all(engine) created the tables {created}, "
        "expected ['books']"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Once mapped, the plain class works with a Session like any model: "
    "session.add(ImpBook(...)), commit(), select(ImpBook).where(ImpBook.author == ...)."
)
def test_imp_book_persists_and_queries(imp_engine, ImpBook):
    save_all(imp_engine, ImpBook, BOOKS)
    save_all(imp_engine, ImpBook, [HOBBIT])
    rows = rows_in(imp_engine)
    assert rows == SAVED_ROWS, (
        f"after saving four ImpBooks (the last without a year) the table holds {rows}"
    )
    found = by_author(imp_engine, ImpBook, "Frank Herbert")
    assert found == [(ImpBook, "Dune", 1965), (ImpBook, "Dune Messiah", 1969)], (
        f"select(ImpBook) for Frank Herbert, ordered by title, gave {found}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The price of two definitions is keeping them in step: books_table needs the same column "
    "names, types, lengths and NULL/NOT NULL as DeclBook."
)
def test_both_mappings_create_the_same_table(decl_engine, imp_engine):
    declarative, imperative = columns_in(decl_engine), columns_in(imp_engine)
    assert imperative == declarative, (
        "the two books tables differ (name, type, nullable, pk): "
        f"imperative {imperative}, declarative {declarative}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Both classes map the same table, so rows written through one are objects of the other."
)
def test_one_database_serves_both_classes(decl_engine, DeclBook, ImpBook):
    save_all(decl_engine, DeclBook, BOOKS[:1])
    save_all(decl_engine, ImpBook, BOOKS[2:])
    as_imp = by_author(decl_engine, ImpBook, "Frank Herbert")
    as_decl = by_author(decl_engine, DeclBook, "Frank Herbert")
    assert as_imp == [(ImpBook, "Dune", 1965), (ImpBook, "Dune Messiah", 1969)], (
        f"a DeclBook and an ImpBook saved in one database load through ImpBook as {as_imp}"
    )
    assert as_decl == [(DeclBook, "Dune", 1965), (DeclBook, "Dune Messiah", 1969)], (
        f"a DeclBook and an ImpBook saved in one database load through DeclBook as {as_decl}"
    )
