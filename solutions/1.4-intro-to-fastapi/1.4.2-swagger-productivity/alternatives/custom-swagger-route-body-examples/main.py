# ALTERNATIVE: own /api/docs route, Body(openapi_examples), docstring description
from typing import Annotated

from fastapi import APIRouter, Body, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

app = FastAPI(title="Orders API", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")

STOCK: dict[str, int] = {"KB-101": 5, "MS-202": 2}
NEXT_ID = {"value": 0}


class OrderIn(BaseModel):
    sku: str
    qty: Annotated[int, Field(gt=0)]


class OrderOut(BaseModel):
    id: int
    sku: str
    qty: int


class ErrorOut(BaseModel):
    detail: str


@app.get("/api/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=app.openapi_url,
        title="Orders API docs",
        swagger_ui_parameters={"tryItOutEnabled": True, "defaultModelsExpandDepth": -1},
    )


router = APIRouter(tags=["orders"])


@router.post(
    "/orders",
    response_model=OrderOut,
    status_code=201,
    summary="Place an order",
    responses={409: {"model": ErrorOut}},
)
def place(
    order: Annotated[
        OrderIn,
        Body(
            openapi_examples={
                "two keyboards": {
                    "summary": "An order in stock",
                    "value": {"sku": "KB-101", "qty": 2},
                },
                "one mouse": {"value": {"sku": "MS-202", "qty": 1}},
            }
        ),
    ],
):
    """Takes `qty` units of `sku` out of stock.

    Answers 409 Conflict when the stock is short.
    """
    have = STOCK.get(order.sku, 0)
    if have < order.qty:
        return JSONResponse(status_code=409, content={"detail": f"{have} left"})
    STOCK[order.sku] = have - order.qty
    NEXT_ID["value"] += 1
    return {"id": NEXT_ID["value"], "sku": order.sku, "qty": order.qty}


app.include_router(router)
