"""Metadata as a dict; FastAPI's own openapi() wrapped; ApiKeyAuth declared by a dependency."""

from typing import Annotated, Any

from fastapi import Depends, FastAPI
from fastapi.security import APIKeyHeader

METADATA: dict[str, Any] = {
    "title": "Bookstore API",
    "version": "1.2.0",
    "summary": "Browse the bookstore's catalogue.",
    "description": "Lists the books on sale. Send your key in the X-API-Key header.",
    "terms_of_service": "https://bookstore.example.com/terms/",
    "contact": {
        "name": "Bookstore API team",
        "url": "https://bookstore.example.com/support",
        "email": "api@bookstore.example.com",
    },
    "license_info": {"name": "MIT", "identifier": "MIT"},
    "openapi_tags": [
        {
            "name": "books",
            "description": "Operations on the catalogue's books.",
            "externalDocs": {
                "url": "https://bookstore.example.com/guide",
                "description": "Catalogue guide",
            },
        }
    ],
    "servers": [
        {"url": "https://api.bookstore.example.com", "description": "Production"},
        {"url": "http://localhost:8000", "description": "Local development"},
    ],
}

app = FastAPI(**METADATA)

api_key = APIKeyHeader(name="X-API-Key", scheme_name="ApiKeyAuth", auto_error=False)


@app.get("/books", tags=["books"])
def list_books(key: Annotated[str | None, Depends(api_key)]) -> list[dict[str, str]]:
    """List the books on sale."""
    return [{"title": "Dune", "author": "Frank Herbert"}]


def openapi_with_logo() -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = FastAPI.openapi(app)  # builds and stores app.openapi_schema
        schema["info"]["x-logo"] = {"url": "https://bookstore.example.com/logo.png"}
    return app.openapi_schema


app.openapi = openapi_with_logo  # type: ignore[method-assign]
