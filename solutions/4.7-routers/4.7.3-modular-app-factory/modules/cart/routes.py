from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field

from modules.catalog import CatalogService, get_catalog_service


class QuoteItem(BaseModel):
    sku: str
    quantity: int = Field(ge=1, le=100)


class QuoteRequest(BaseModel):
    items: list[QuoteItem]


class QuoteLine(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_price_cents: int
    line_total_cents: int


class Quote(BaseModel):
    lines: list[QuoteLine]
    total_cents: int


router = APIRouter(prefix="/cart", tags=["cart"])


@router.post("/quote")
def quote(
    body: QuoteRequest,
    catalog: Annotated[CatalogService, Depends(get_catalog_service)],
) -> Quote:
    lines = []
    for item in body.items:
        product = catalog.get(item.sku)
        if product is None:
            raise HTTPException(
                status_code=status.HTTP_404_NOT_FOUND, detail=f"Unknown product: {item.sku}"
            )
        lines.append(
            QuoteLine(
                sku=product.sku,
                name=product.name,
                quantity=item.quantity,
                unit_price_cents=product.price_cents,
                line_total_cents=product.price_cents * item.quantity,
            )
        )
    return Quote(lines=lines, total_cents=sum(line.line_total_cents for line in lines))
