from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = "sqlite:///./books.db"

engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


# TODO: Task 1 - map the columns title (String(200)) and author (String(100)), both NOT NULL,
#       and make the pair (title, author) unique with a UniqueConstraint in __table_args__
class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)


# TODO: Task 2 - the request body: title (1-200 characters) and author (1-100 characters)
class BookCreate(BaseModel):
    pass


# TODO: Task 2 - the answer: id, title, author (read from a Book: from_attributes=True)
class BookRead(BaseModel):
    pass


# TODO: Task 2 - yield a new SessionLocal() session per request and close it afterwards
def get_db() -> Iterator[Session]:
    raise NotImplementedError


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)  # creates books.db when the server starts
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


# TODO: Task 2 - POST /books: take a BookCreate, add a Book through the session of
#       Depends(get_db), commit, answer 201 with a BookRead


# TODO: Task 3 - a book whose (title, author) is already stored answers 409 Conflict
