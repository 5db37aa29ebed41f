"""FastAPI subclassed: openapi() overridden as a method, built on FastAPI's own."""

from fastapi import FastAPI


class BookstoreAPI(FastAPI):
    def openapi(self):
        if self.openapi_schema is not None:
            return self.openapi_schema
        schema = super().openapi()
        schema["info"]["x-logo"] = {"url": "https://bookstore.example.com/logo.png"}
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["ApiKeyAuth"] = {
            "type": "apiKey",
            "name": "X-API-Key",
            "in": "header",
        }
        return schema


app = BookstoreAPI(
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
