from collections.abc import Iterator

from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    # TODO: Task 1 - for any sqlite URL pass connect_args={"check_same_thread": False};
    #       for an in-memory one ("sqlite://", "sqlite:///:memory:") also poolclass=StaticPool.
    #       make_url(url) parses the URL: .get_backend_name() and .database help.
    return create_engine(url)


# TODO: Task 2 - one module-level factory, created unbound, with autoflush=False and
#       expire_on_commit=False
SessionLocal = sessionmaker()


def configure(url: str) -> Engine:
    # TODO: Task 2 - make the engine, bind SessionLocal to it, return the engine
    raise NotImplementedError


def get_db() -> Iterator[Session]:
    # TODO: Task 2 - yield a new session from SessionLocal() and close it afterwards
    raise NotImplementedError
