# WRONG: keeps the default expire_on_commit=True, so reading an object after commit reloads it.
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
SessionLocal = sessionmaker(autoflush=False)


def configure(url: str) -> Engine:
    engine = make_engine(url)
    SessionLocal.configure(bind=engine)
    return engine


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session
