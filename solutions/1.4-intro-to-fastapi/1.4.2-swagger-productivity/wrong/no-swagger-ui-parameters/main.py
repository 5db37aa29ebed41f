# WRONG: moves the docs but never passes swagger_ui_parameters, so Try it out stays off.
import threading

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI(
    title="Orders API",
    docs_url="/api/docs",
    redoc_url=None,
    openapi_url="/api/openapi.json",
)

# Units on hand per SKU (given in the starter).
STOCK: dict[str, int] = {"KB-101": 5, "MS-202": 2}

_lock = threading.Lock()
_orders: list[dict] = []


class OrderIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"sku": "KB-101", "qty": 2}]},
    )

    sku: str
    qty: int = Field(gt=0)


class OrderOut(BaseModel):
    id: int
    sku: str
    qty: int


class ErrorOut(BaseModel):
    detail: str


@app.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    summary="Place an order",
    description=(
        "Reserves `qty` units of `sku` from stock. Answers **409** with an `ErrorOut` when "
        "fewer than `qty` units are in stock (an unknown SKU has none)."
    ),
    responses={409: {"model": ErrorOut, "description": "Not enough stock"}},
)
def place_order(order: OrderIn) -> OrderOut:
    with _lock:
        available = STOCK.get(order.sku, 0)
        if order.qty > available:
            raise HTTPException(
                status_code=status.HTTP_409_CONFLICT,
                detail=f"only {available} of {order.sku} in stock",
            )
        STOCK[order.sku] = available - order.qty
        _orders.append(order.model_dump())
        return OrderOut(id=len(_orders), **order.model_dump())
