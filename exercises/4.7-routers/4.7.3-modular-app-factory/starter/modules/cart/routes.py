from pydantic import BaseModel, Field

# TODO: Task 2 - get what you need of the catalog from the package modules.catalog


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


# TODO: Task 2 - router: prefix /cart, tag "cart", and POST /cart/quote priced with the
#       catalog service from Depends(get_catalog_service)
