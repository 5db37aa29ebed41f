from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status  # noqa: F401
from models import Author, Base, Book  # noqa: F401
from schemas import AuthorCreate, AuthorRead, BookRead  # noqa: F401
from sqlalchemy import create_engine, select  # noqa: F401
from sqlalchemy.exc import IntegrityError  # noqa: F401
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker  # noqa: F401

DATABASE_URL = "sqlite:///./library.db"

engine = create_engine(DATABASE_URL)
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)  # creates library.db when the server starts
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


# TODO: Task 3 - GET /authors/{author_id} -> AuthorRead, GET /books/{book_id} -> BookRead
#       (404 when the id is unknown), GET /authors -> list[AuthorRead] ordered by id, loading
#       the books of all authors with at most 2 SQL statements (selectinload)


# TODO: Task 4 - POST /authors: an AuthorCreate body; store the author and its books in one
#       transaction, answer 201 with an AuthorRead; duplicate titles answer 409, store nothing
