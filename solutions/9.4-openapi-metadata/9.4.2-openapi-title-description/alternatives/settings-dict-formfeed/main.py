"""Bookstore."""

import pathlib

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

__version__ = "1.4.0"


def load_description() -> str:
    return pathlib.Path(__file__).with_name("DESCRIPTION.md").read_text()


settings = {"title": "Bookstore API", "version": __version__, "description": load_description()}
app = FastAPI(**settings)


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
    """
    Every book, by title.

    \f
    :return: the books
    """
    return sorted(BOOKS.values(), key=lambda book: book.title)


@app.get("/books/{book_id}")
def get_book(book_id: int) -> Book:
    """Look a book up by its id (404 if unknown)."""
    if book_id not in BOOKS:
        raise HTTPException(status_code=404, detail="Book not found")
    return BOOKS[book_id]
