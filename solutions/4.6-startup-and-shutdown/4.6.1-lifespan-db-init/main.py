import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, status
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


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = make_engine(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    try:
        Base.metadata.create_all(engine)
        app.state.engine = engine
        app.state.sessionmaker = sessionmaker(
            bind=engine, autoflush=False, expire_on_commit=False
        )
        yield
    finally:
        engine.dispose()


app = FastAPI(lifespan=lifespan)


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessionmaker() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


@app.post("/notes", response_model=NoteRead, status_code=status.HTTP_201_CREATED)
def create_note(payload: NoteCreate, db: DbSession) -> Note:
    note = Note(text=payload.text)
    db.add(note)
    db.commit()
    return note


@app.get("/notes", response_model=list[NoteRead])
def list_notes(db: DbSession) -> list[Note]:
    return list(db.scalars(select(Note).order_by(Note.id)))


@app.get("/notes/{note_id}", response_model=NoteRead)
def read_note(note_id: int, db: DbSession) -> Note:
    note = db.get(Note, note_id)
    if note is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Note not found")
    return note
