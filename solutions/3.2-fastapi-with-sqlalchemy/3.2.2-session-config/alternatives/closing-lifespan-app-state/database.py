# ALTERNATIVE: make_url options, contextlib.closing get_db, engine on app.state
from contextlib import closing

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


def make_engine(url: str):
    u = make_url(url)
    kw = {}
    if u.drivername.startswith("sqlite"):
        kw["connect_args"] = {"check_same_thread": False}
        if not u.database or u.database == ":memory:":
            kw["poolclass"] = StaticPool
    return create_engine(u, **kw)


SessionLocal = sessionmaker(expire_on_commit=False, autoflush=False)


def configure(url: str):
    engine = make_engine(url)
    SessionLocal.configure(bind=engine)
    return engine


def get_db():
    with closing(SessionLocal()) as session:
        yield session
