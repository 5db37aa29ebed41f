"""The Bookstore API, documented from its version, a Markdown file and its docstrings."""

from pathlib import Path

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

__version__ = "1.4.0"

DESCRIPTION = (Path(__file__).parent / "DESCRIPTION.md").read_text(encoding="utf-8")

app = FastAPI(title="Bookstore API", description=DESCRIPTION, version=__version__)


class Book(BaseModel):
    id: int
    title: str
    author: str


BOOKS = {
    1: Book(id=1, title="Dune", author="Frank Herbert"),
    2: Book(id=2, title="Emma", author="Jane Austen"),
}


@app.get("/books", summary="List every book")
def list_books() -> list[Book]:
    """Return every book of the catalogue, sorted by title.

    The list is never paginated: the catalogue is small.
    """
    return sorted(BOOKS.values(), key=lambda book: book.title)


@app.get("/books/{book_id}")
def get_book(book_id: int) -> Book:
    """Return the book with this id.

    Answers 404 when no book has that id.
    """
    if book_id not in BOOKS:
        raise HTTPException(status_code=404, detail="Book not found")
    return BOOKS[book_id]
