from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from models import Author, Base, Book
from schemas import AuthorCreate, AuthorRead, BookRead
from sqlalchemy import create_engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, sessionmaker

DATABASE_URL = "sqlite:///./library.db"

engine = create_engine(DATABASE_URL)
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.post("/authors", response_model=AuthorRead, status_code=status.HTTP_201_CREATED)
def create_author(payload: AuthorCreate, db: DbSession) -> Author:
    # One object graph, one commit: the author and all its books are stored together or not
    # at all.
    author = Author(name=payload.name, books=[Book(title=b.title) for b in payload.books])
    db.add(author)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT, detail="an author's book titles must differ"
        ) from None
    return author


@app.get("/authors", response_model=list[AuthorRead])
def list_authors(db: DbSession) -> list[Author]:
    # selectinload: one SELECT for the authors, one for all their books (not one per author).
    stmt = select(Author).options(joinedload(Author.books)).order_by(Author.id)
    return list(db.scalars(stmt).unique())


@app.get("/authors/{author_id}", response_model=AuthorRead)
def read_author(author_id: int, db: DbSession) -> Author:
    author = (
        db.scalars(select(Author).options(joinedload(Author.books)).where(Author.id == author_id))
        .unique()
        .one_or_none()
    )
    if author is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="author not found")
    return author


@app.get("/books/{book_id}", response_model=BookRead)
def read_book(book_id: int, db: DbSession) -> Book:
    book = db.get(Book, book_id, options=[joinedload(Book.author)])
    if book is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="book not found")
    return book
