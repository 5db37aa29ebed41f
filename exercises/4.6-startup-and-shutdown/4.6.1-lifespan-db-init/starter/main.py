import os  # noqa: F401  (you will read DATABASE_URL from os.environ)
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, String, create_engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool

DEFAULT_DATABASE_URL = "sqlite://"


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(500))


class NoteCreate(BaseModel):
    text: str = Field(min_length=1, max_length=500)


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    text: str


def make_engine(url: str) -> Engine:
    """An engine for `url` that FastAPI's threads can share.

    SQLite connections refuse to be used from another thread unless `check_same_thread` is off,
    and an in-memory database lives only as long as its connection: `StaticPool` keeps one
    connection for everybody, so every request sees the same tables."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url)
    options: dict = {"connect_args": {"check_same_thread": False}}
    if parsed.database in (None, "", ":memory:"):
        options["poolclass"] = StaticPool
    return create_engine(url, **options)


# TODO: Task 1 - read DATABASE_URL (default DEFAULT_DATABASE_URL) when the app starts, create the
#       engine with make_engine(url), create the tables, and set app.state.engine and
#       app.state.sessionmaker before the yield.
# TODO: Task 3 - dispose of the engine when the app stops, whatever happens (try/finally).
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield


app = FastAPI(lifespan=lifespan)


# TODO: Task 2 - yield a new session from request.app.state.sessionmaker() and close it afterwards
def get_db(request: Request) -> Iterator[Session]:
    raise NotImplementedError


# TODO: Task 2 - POST /notes (201), GET /notes, GET /notes/{note_id} (404 when missing)
