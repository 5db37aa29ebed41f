"""A bookstore API whose OpenAPI schema carries the service's metadata."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

app = FastAPI(
    title="Bookstore API",
    version="1.2.0",
    summary="Browse the bookstore's catalogue.",
    description="Lists the books on sale. Send your key in the X-API-Key header.",
    terms_of_service="https://bookstore.example.com/terms",
    contact={
        "name": "Bookstore API team",
        "url": "https://bookstore.example.com/support",
        "email": "api@bookstore.example.com",
    },
    license_info={"name": "MIT", "identifier": "MIT"},
    openapi_tags=[
        {
            "name": "books",
            "description": "Operations on the catalogue's books.",
            "externalDocs": {
                "description": "Catalogue guide",
                "url": "https://bookstore.example.com/guide",
            },
        }
    ],
    servers=[
        {"url": "https://api.bookstore.example.com", "description": "Production"},
        {"url": "http://localhost:8000", "description": "Local development"},
    ],
)


@app.get("/books", tags=["books"])
def list_books() -> list[dict[str, str]]:
    """List the books on sale."""
    return [{"title": "Dune", "author": "Frank Herbert"}]


def custom_openapi() -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        terms_of_service=app.terms_of_service,
        contact=app.contact,
        license_info=app.license_info,
        tags=app.openapi_tags,
        servers=app.servers,
        routes=app.routes,
    )
    schema["info"]["x-logo"] = {"url": "https://bookstore.example.com/logo.png"}
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})["ApiKeyAuth"] = {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
    }
    app.openapi_schema = schema
    return app.openapi_schema


app.openapi = custom_openapi  # type: ignore[method-assign]
