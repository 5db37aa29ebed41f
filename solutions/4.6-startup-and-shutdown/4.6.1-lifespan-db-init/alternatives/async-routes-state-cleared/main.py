import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, String, create_engine, make_url
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
    engine = make_engine(os.getenv("DATABASE_URL", DEFAULT_DATABASE_URL))
    try:
        Base.metadata.create_all(bind=engine)
        app.state.engine = engine
        app.state.sessionmaker = sessionmaker(engine, expire_on_commit=False)
        yield
    finally:
        engine.dispose()
        for name in ("engine", "sessionmaker"):
            if hasattr(app.state, name):
                delattr(app.state, name)


app = FastAPI(lifespan=lifespan)


def get_db(request: Request) -> Iterator[Session]:
    db = request.app.state.sessionmaker()
    try:
        yield db
    finally:
        db.close()


@app.post("/notes", status_code=201)
async def create(body: NoteCreate, db: Session = Depends(get_db)) -> dict:
    note = Note(text=body.text)
    db.add(note)
    db.commit()
    return {"id": note.id, "text": note.text}


@app.get("/notes")
async def all_notes(db: Session = Depends(get_db)) -> list[dict]:
    return [{"id": n.id, "text": n.text} for n in db.query(Note).order_by(Note.id).all()]


@app.get("/notes/{note_id}")
async def one(note_id: int, db: Session = Depends(get_db)) -> dict:
    note = db.get(Note, note_id)
    if not note:
        raise HTTPException(404, "not found")
    return {"id": note.id, "text": note.text}
