"""A bookstore API whose OpenAPI schema carries the service's metadata."""

from fastapi import FastAPI

# TODO Task 1: give FastAPI(...) the service's metadata.
app = FastAPI(title="Bookstore API", version="1.2.0")


@app.get("/books", tags=["books"])
def list_books() -> list[dict[str, str]]:
    """List the books on sale."""
    return [{"title": "Dune", "author": "Frank Herbert"}]


# TODO Task 2: override app.openapi to add info["x-logo"] and the ApiKeyAuth scheme,
# building the schema once and caching it in app.openapi_schema.
