"""One statement, many databases: SQLAlchemy builds SQL once and lets each dialect spell it."""

from sqlalchemy import Column, Engine, Integer, MetaData, Select, String, Table, select
from sqlalchemy.dialects import mssql, mysql, oracle, postgresql, sqlite

metadata = MetaData()

books = Table(
    "books",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("author", String(100), nullable=False),
)


def top_n_titles_stmt(n: int) -> Select:
    # TODO: Task 1 - a select() of books.c.title, ordered by title, limited to n;
    #       n <= 0 raises ValueError
    raise NotImplementedError("Task 1")


def render(stmt: Select, dialect_name: str) -> str:
    # TODO: Task 2 - compile stmt for "sqlite", "postgresql", "mysql", "mssql" or "oracle",
    #       with the bound values written inline; any other name raises ValueError
    raise NotImplementedError("Task 2")


def run(engine: Engine, n: int) -> list[str]:
    # TODO: Task 3 - execute top_n_titles_stmt(n) on engine and return the titles
    raise NotImplementedError("Task 3")
