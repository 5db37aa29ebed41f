"""A bookstore API whose docs are grouped by tags, with operationIds built from them."""

from fastapi import FastAPI, HTTPException
from fastapi.routing import APIRoute

TAGS = [
    {"name": "books", "description": "Browse the catalogue."},
    {"name": "authors", "description": "The people who wrote the books."},
    {"name": "internal", "description": "Operational endpoints for the team."},
]


def tag_and_name(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}"


app = FastAPI(
    title="Bookstore API",
    openapi_tags=TAGS,
    generate_unique_id_function=tag_and_name,
)

BOOKS = {1: {"id": 1, "title": "Dune"}, 2: {"id": 2, "title": "Emma"}}
AUTHORS = [{"name": "Frank Herbert"}, {"name": "Jane Austen"}]


@app.get("/books", tags=["books"])
def list_books() -> list[dict]:
    return list(BOOKS.values())


@app.get("/books/{book_id}", tags=["books"])
def get_book(book_id: int) -> dict:
    if book_id not in BOOKS:
        raise HTTPException(status_code=404, detail="Book not found")
    return BOOKS[book_id]


@app.get("/authors", tags=["authors"])
def list_authors() -> list[dict]:
    return AUTHORS


@app.get("/internal/health", tags=["internal"])
def health() -> dict:
    return {"status": "ok"}


@app.get("/internal/metrics", tags=["internal"], include_in_schema=False)
def metrics() -> dict:
    return {"books": len(BOOKS), "authors": len(AUTHORS)}
