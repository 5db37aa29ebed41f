# WRONG: keeps the default autoflush=True, so every query first writes pending objects.
from collections.abc import Iterator

from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    """An engine for `url`, with the settings SQLite needs under a threaded server."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url)
    # FastAPI runs sync handlers in a thread pool: a connection may be used by another thread
    # than the one that opened it.
    options: dict = {"connect_args": {"check_same_thread": False}}
    if parsed.database in (None, "", ":memory:"):
        # Every connection to `sqlite://` is a new, empty database: keep exactly one.
        options["poolclass"] = StaticPool
    return create_engine(url, **options)


# Created unbound at import; `configure()` binds it once the URL is known.
SessionLocal = sessionmaker(expire_on_commit=False)


def configure(url: str) -> Engine:
    engine = make_engine(url)
    SessionLocal.configure(bind=engine)
    return engine


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session
