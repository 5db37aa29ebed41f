import os
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, String, create_engine, make_url, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
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


async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # FastAPI wraps a plain async generator function in asynccontextmanager itself.
    with ExitStack() as cleanup:
        url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        engine = make_engine(url)
        cleanup.callback(engine.dispose)
        with engine.begin() as connection:
            Base.metadata.create_all(connection)
        app.state.engine = engine
        app.state.sessionmaker = sessionmaker(engine)
        yield


app = FastAPI(lifespan=lifespan)


def get_db(request: Request) -> Iterator[Session]:
    session = request.app.state.sessionmaker()
    try:
        yield session
    finally:
        session.close()


@app.post("/notes", status_code=201)
def create_note(payload: NoteCreate, db: Annotated[Session, Depends(get_db)]) -> NoteRead:
    note = Note(text=payload.text)
    db.add(note)
    db.commit()
    db.refresh(note)
    return NoteRead.model_validate(note)


@app.get("/notes")
def list_notes(db: Annotated[Session, Depends(get_db)]) -> list[NoteRead]:
    notes = db.execute(select(Note).order_by(Note.id)).scalars()
    return [NoteRead.model_validate(note) for note in notes]


@app.get("/notes/{note_id}")
def read_note(note_id: int, db: Annotated[Session, Depends(get_db)]) -> NoteRead:
    note = db.scalar(select(Note).where(Note.id == note_id))
    if note is None:
        raise HTTPException(status_code=404, detail=f"no note {note_id}")
    return NoteRead.model_validate(note)
