"""Tags per route; the metrics router included with include_in_schema=False."""

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.routing import APIRoute


def unique_id(route: APIRoute) -> str:
    (tag,) = route.tags
    return f"{tag}-{route.name}"


app = FastAPI(
    title="Bookstore API",
    generate_unique_id_function=unique_id,
    openapi_tags=[
        {"name": "books", "description": "Books."},
        {"name": "authors", "description": "Authors."},
        {"name": "internal", "description": "Internal."},
    ],
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


hidden = APIRouter(prefix="/internal", tags=["internal"])


@hidden.get("/metrics")
def metrics() -> dict:
    return {"books": len(BOOKS), "authors": len(AUTHORS)}


app.include_router(hidden, include_in_schema=False)
