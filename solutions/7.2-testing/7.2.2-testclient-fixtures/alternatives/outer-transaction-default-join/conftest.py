import pytest
from fastapi.testclient import TestClient
from main import Base, app, get_db
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool


@pytest.fixture(scope="session")
def engine():
    e = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    Base.metadata.create_all(e)
    return e


@pytest.fixture
def db_session(engine):
    conn = engine.connect()
    tx = conn.begin()
    s = Session(bind=conn)
    yield s
    s.close()
    tx.rollback()
    conn.close()


@pytest.fixture
def client(db_session):
    app.dependency_overrides[get_db] = lambda: db_session
    with TestClient(app) as c:
        yield c
    app.dependency_overrides.clear()
