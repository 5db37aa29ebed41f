# ALTERNATIVE: get_db is `with SessionLocal.begin() as session: yield session`
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = "sqlite:///./notes.db"

engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


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


def get_db():
    with SessionLocal.begin() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


def add_note(db: Session, payload: NoteCreate) -> Note:
    note = Note(text=payload.text)
    db.add(note)
    db.flush()  # sends the INSERT inside the open transaction and assigns note.id
    return note


@app.post("/notes", response_model=NoteRead, status_code=status.HTTP_201_CREATED)
def create_note(payload: NoteCreate, db: DbSession) -> Note:
    return add_note(db, payload)


@app.post("/notes/fail", response_model=NoteRead, status_code=status.HTTP_201_CREATED)
def create_note_then_fail(payload: NoteCreate, db: DbSession) -> Note:
    add_note(db, payload)
    raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="rejected after adding")


@app.post("/notes/crash", response_model=NoteRead, status_code=status.HTTP_201_CREATED)
def create_note_then_crash(payload: NoteCreate, db: DbSession) -> Note:
    add_note(db, payload)
    raise RuntimeError("crashed after adding")
