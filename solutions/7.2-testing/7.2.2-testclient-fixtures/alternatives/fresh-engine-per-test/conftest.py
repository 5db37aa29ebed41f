import pytest
from fastapi.testclient import TestClient
from main import Base, app, get_db
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool


@pytest.fixture
def engine():
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return sessionmaker(bind=engine, expire_on_commit=False)


@pytest.fixture
def db_session(sessions):
    with sessions() as session:
        yield session


@pytest.fixture
def client(sessions, monkeypatch):
    def override():
        with sessions() as session:
            yield session

    monkeypatch.setitem(app.dependency_overrides, get_db, override)
    with TestClient(app) as c:
        yield c
