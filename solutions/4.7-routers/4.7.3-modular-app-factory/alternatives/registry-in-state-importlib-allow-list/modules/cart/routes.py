"""The cart's request and answer models."""

from pydantic import BaseModel, Field


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
