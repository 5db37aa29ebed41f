"""Metadata set as attributes after creation; routes on an APIRouter; a docstring with \\f."""

import os

from fastapi import APIRouter, FastAPI, HTTPException
from pydantic import BaseModel

__version__ = "1.4.0"

HERE = os.path.dirname(os.path.abspath(__file__))

app = FastAPI()
app.title = "Bookstore API"
app.version = __version__
with open(os.path.join(HERE, "DESCRIPTION.md"), encoding="utf-8") as handle:
    app.description = handle.read().strip()


class Book(BaseModel):
    id: int
    title: str
    author: str


BOOKS = {
    2: Book(id=2, title="Emma", author="Jane Austen"),
    1: Book(id=1, title="Dune", author="Frank Herbert"),
}

router = APIRouter(prefix="/books")


@router.get("", summary="List every book")
async def all_books() -> list[Book]:
    """Every book, sorted by title.
    \f
    Internal note, kept out of the docs: BOOKS is a module-level dict.
    """
    return sorted(BOOKS.values(), key=lambda book: book.title)


@router.get("/{book_id}")
async def one_book(book_id: int) -> Book:
    """One book by id; 404 when there is none."""
    book = BOOKS.get(book_id)
    if book is None:
        raise HTTPException(status_code=404, detail="Book not found")
    return book


app.include_router(router)
