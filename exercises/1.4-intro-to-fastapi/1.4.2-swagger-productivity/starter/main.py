from fastapi import FastAPI, HTTPException  # noqa: F401  (HTTPException is for Task 2)
from pydantic import BaseModel, ConfigDict, Field  # noqa: F401  (for Tasks 2 and 3)

# TODO: Task 1 - serve Swagger UI at /api/docs and the schema at /api/openapi.json, turn ReDoc
#       off, and pass swagger_ui_parameters {"tryItOutEnabled": True, "defaultModelsExpandDepth": -1}
app = FastAPI(title="Orders API")

# Units on hand per SKU. An unknown SKU has none.
STOCK: dict[str, int] = {"KB-101": 5, "MS-202": 2}


# TODO: Task 2 - models OrderIn (sku: str, qty: int greater than 0), OrderOut (id, sku, qty) and
#       ErrorOut (detail: str)


# TODO: Task 2 - POST /orders: 201 with an OrderOut when the stock covers qty (take it from the
#       stock), 409 with {"detail": "..."} when it does not


# TODO: Task 3 - document POST /orders: summary "Place an order", a description that mentions
#       409, the 409 response with ErrorOut, and an example order in OrderIn's schema
