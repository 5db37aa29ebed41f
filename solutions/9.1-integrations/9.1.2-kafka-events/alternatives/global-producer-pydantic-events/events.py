"""The event side: the order.created event and the consumer that applies it."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


@dataclass
class OrderStats:
    """What the consumer builds from the events it has applied."""

    processed: set[str] = field(default_factory=set)  # ids of the events applied so far
    order_count: int = 0
    revenue_cents: int = 0


class OrderPayload(BaseModel):
    model_config = ConfigDict(strict=True)

    order_id: int
    customer: str
    amount_cents: int


class OrderCreated(BaseModel):
    model_config = ConfigDict(strict=True)

    event_id: str = Field(min_length=1)
    type: Literal["order.created"]
    occurred_at: Any = Field(default_factory=lambda: datetime.now(UTC))
    payload: OrderPayload


def handle_order_event(raw: bytes, store: OrderStats) -> bool:
    try:
        event = OrderCreated.model_validate_json(raw)
    except ValidationError:
        return False
    if event.event_id in store.processed:
        return False
    store.processed.add(event.event_id)
    store.order_count += 1
    store.revenue_cents += event.payload.amount_cents
    return True
