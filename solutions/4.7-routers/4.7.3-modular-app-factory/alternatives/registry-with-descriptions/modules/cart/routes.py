from fastapi import APIRouter, Depends, HTTPException
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


@router.post("/quote", response_model=Quote)
async def make_quote(
    req: QuoteRequest, catalog: CatalogService = Depends(get_catalog_service)
) -> Quote:
    lines = []
    total = 0
    for item in req.items:
        product = catalog.get(item.sku)
        if not product:
            raise HTTPException(status_code=404, detail=f"Product {item.sku} not found")
        line_total = product.price_cents * item.quantity
        total += line_total
        lines.append(
            QuoteLine(
                sku=item.sku,
                name=product.name,
                quantity=item.quantity,
                unit_price_cents=product.price_cents,
                line_total_cents=line_total,
            )
        )
    return Quote(lines=lines, total_cents=total)
