# WRONG: render loads whatever dialect SQLAlchemy knows by name instead of the five supported ones.
"""One statement, many databases: SQLAlchemy builds SQL once and lets each dialect spell it."""

from sqlalchemy import Column, Engine, Integer, MetaData, Select, String, Table, select
from sqlalchemy.dialects import mssql, mysql, oracle, postgresql, registry, sqlite
from sqlalchemy.engine import Dialect

metadata = MetaData()

books = Table(
    "books",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("author", String(100), nullable=False),
)

DIALECTS: dict[str, type[Dialect]] = {
    "sqlite": sqlite.dialect,
    "postgresql": postgresql.dialect,
    "mysql": mysql.dialect,
    "mssql": mssql.dialect,
    "oracle": oracle.dialect,
}


def top_n_titles_stmt(n: int) -> Select:
    """The first n titles in alphabetical order: a statement object, not SQL text."""
    if n <= 0:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return select(books.c.title).order_by(books.c.title).limit(n)


def render(stmt: Select, dialect_name: str) -> str:
    """The SQL that `stmt` becomes on the named database, with bound values written inline."""
    dialect = registry.load(dialect_name)()
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def run(engine: Engine, n: int) -> list[str]:
    """Execute the statement on whatever database `engine` points at."""
    stmt = top_n_titles_stmt(n)
    with engine.connect() as conn:
        return list(conn.scalars(stmt))
