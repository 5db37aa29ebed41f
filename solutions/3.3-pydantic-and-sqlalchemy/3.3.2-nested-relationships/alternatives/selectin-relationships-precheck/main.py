from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from models import Author, Book
from schemas import AuthorCreate, AuthorRead, BookRead
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("sqlite:///./library.db")
SessionLocal = sessionmaker(bind=engine)


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


app = FastAPI()


@app.post("/authors", status_code=201)
def create_author(payload: AuthorCreate, db: Annotated[Session, Depends(get_db)]) -> AuthorRead:
    titles = [b.title for b in payload.books]
    if len(set(titles)) != len(titles):
        raise HTTPException(409, "duplicate titles")
    author = Author(name=payload.name)
    db.add(author)
    db.flush()
    for t in titles:
        db.add(Book(title=t, author=author))
    db.commit()
    db.refresh(author)
    return AuthorRead.model_validate(author)


@app.get("/authors")
def list_authors(db: Annotated[Session, Depends(get_db)]) -> list[AuthorRead]:
    return [AuthorRead.model_validate(a) for a in db.scalars(select(Author).order_by(Author.id))]


@app.get("/authors/{author_id}")
def get_author(author_id: int, db: Annotated[Session, Depends(get_db)]) -> AuthorRead:
    a = db.scalars(select(Author).where(Author.id == author_id)).first()
    if not a:
        raise HTTPException(404)
    return AuthorRead.model_validate(a)


@app.get("/books/{book_id}")
def get_book(book_id: int, db: Annotated[Session, Depends(get_db)]) -> BookRead:
    b = db.get(Book, book_id)
    if not b:
        raise HTTPException(404)
    return BookRead.model_validate(b)
