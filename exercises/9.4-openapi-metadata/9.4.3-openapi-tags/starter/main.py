"""A bookstore API whose docs are grouped by tags, with operationIds built from them."""

from fastapi import FastAPI, HTTPException

# TODO Task 1: describe the tags, in order. TODO Task 3: the operationId function.
app = FastAPI(title="Bookstore API")

BOOKS = {1: {"id": 1, "title": "Dune"}, 2: {"id": 2, "title": "Emma"}}
AUTHORS = [{"name": "Frank Herbert"}, {"name": "Jane Austen"}]


# TODO Task 1: one tag per route.
@app.get("/books")
def list_books() -> list[dict]:
    return list(BOOKS.values())


@app.get("/books/{book_id}")
def get_book(book_id: int) -> dict:
    if book_id not in BOOKS:
        raise HTTPException(status_code=404, detail="Book not found")
    return BOOKS[book_id]


@app.get("/authors")
def list_authors() -> list[dict]:
    return AUTHORS


@app.get("/internal/health")
def health() -> dict:
    return {"status": "ok"}


# TODO Task 2: keep this route out of the schema.
@app.get("/internal/metrics")
def metrics() -> dict:
    return {"books": len(BOOKS), "authors": len(AUTHORS)}
