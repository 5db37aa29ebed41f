"""The cart: quotes priced with the catalog's service."""

from fastapi import APIRouter, Depends, HTTPException

from .. import catalog
from .routes import Quote, QuoteLine, QuoteRequest

router = APIRouter(prefix="/cart", tags=["cart"])


@router.post("/quote", response_model=Quote)
async def quote(body: QuoteRequest, service=Depends(catalog.get_catalog_service)):
    lines = []
    for item in body.items:
        product = service.get(item.sku)
        if product is None:
            raise HTTPException(404, f"no product with sku {item.sku!r}")
        lines.append(
            QuoteLine(
                sku=item.sku,
                name=product.name,
                quantity=item.quantity,
                unit_price_cents=product.price_cents,
                line_total_cents=item.quantity * product.price_cents,
            )
        )
    return Quote(lines=lines, total_cents=sum(line.line_total_cents for line in lines))
