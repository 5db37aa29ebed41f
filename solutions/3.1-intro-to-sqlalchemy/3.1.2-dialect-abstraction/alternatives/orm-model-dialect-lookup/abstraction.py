# ALTERNATIVE: table from a declarative model, dialects via importlib/mock engine
import importlib

from sqlalchemy import String, create_mock_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100))


books = Book.__table__
metadata = Base.metadata
SUPPORTED = frozenset({"sqlite", "postgresql", "mysql", "mssql", "oracle"})


def top_n_titles_stmt(n):
    if not n > 0:
        raise ValueError("n must be positive")
    return select(Book.title).order_by(Book.title.asc()).limit(n)


def render(stmt, dialect_name):
    if dialect_name not in SUPPORTED:
        raise ValueError(dialect_name)
    if dialect_name in ("sqlite", "mssql"):
        dialect = create_mock_engine(f"{dialect_name}://", executor=None).dialect
    else:
        dialect = importlib.import_module(f"sqlalchemy.dialects.{dialect_name}").dialect()
    return stmt.compile(dialect=dialect, compile_kwargs=dict(literal_binds=True)).string


def run(engine, n):
    with Session(engine) as session:
        return session.scalars(top_n_titles_stmt(n)).all()
