# ALTERNATIVE: async handler, dict model_config with Field(examples), itertools ids
import itertools

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

app = FastAPI(
    docs_url="/api/docs",
    redoc_url=None,
    openapi_url="/api/openapi.json",
    swagger_ui_parameters={"defaultModelsExpandDepth": -1, "tryItOutEnabled": True, "filter": True},
)
STOCK: dict[str, int] = {"KB-101": 5, "MS-202": 2}
ids = itertools.count(100)


class OrderIn(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{"sku": "MS-202", "qty": 2}]}}
    sku: str = Field(examples=["KB-101"])
    qty: int = Field(gt=0, examples=[1])


class OrderOut(OrderIn):
    id: int


class ErrorOut(BaseModel):
    detail: str


@app.post(
    "/orders",
    status_code=201,
    summary="Place an order",
    description="Errors: 409 if not enough stock.",
    responses={409: {"model": ErrorOut, "description": "Conflict"}},
)
async def create_order(order: OrderIn) -> OrderOut:
    if STOCK.get(order.sku, 0) < order.qty:
        raise HTTPException(409, "insufficient stock")
    STOCK[order.sku] -= order.qty
    return OrderOut(id=next(ids), sku=order.sku, qty=order.qty)
