"""Tags set once per APIRouter; the operationId function is a lambda on the app."""

from fastapi import APIRouter, FastAPI, HTTPException

BOOKS = {1: {"id": 1, "title": "Dune"}, 2: {"id": 2, "title": "Emma"}}
AUTHORS = [{"name": "Frank Herbert"}, {"name": "Jane Austen"}]

books = APIRouter(prefix="/books", tags=["books"])
authors = APIRouter(prefix="/authors", tags=["authors"])
internal = APIRouter(prefix="/internal", tags=["internal"])


@books.get("")
async def list_books() -> list[dict]:
    return list(BOOKS.values())


@books.get("/{book_id}", name="book_by_id")
async def get_book(book_id: int) -> dict:
    if book_id not in BOOKS:
        raise HTTPException(status_code=404, detail="Book not found")
    return BOOKS[book_id]


@authors.get("")
async def list_authors() -> list[dict]:
    return AUTHORS


@internal.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@internal.get("/metrics", include_in_schema=False)
async def metrics() -> dict:
    return {"books": len(BOOKS), "authors": len(AUTHORS)}


app = FastAPI(
    title="Bookstore API",
    openapi_tags=[
        {"name": name, "description": description}
        for name, description in (
            ("books", "Books on sale."),
            ("authors", "Who wrote them."),
            ("internal", "For the operations team."),
        )
    ],
    generate_unique_id_function=lambda route: "-".join((route.tags[0], route.name)),
)
for router in (books, authors, internal):
    app.include_router(router)
