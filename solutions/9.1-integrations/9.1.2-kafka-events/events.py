"""The event side: building an order.created event, and the consumer that applies it."""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

ORDERS_TOPIC = "orders.created"


@dataclass
class OrderStats:
    """What the consumer builds from the events it has applied."""

    processed: set[str] = field(default_factory=set)  # ids of the events applied so far
    order_count: int = 0
    revenue_cents: int = 0


def order_created_event(order_id: int, customer: str, amount_cents: int) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "type": "order.created",
        "occurred_at": datetime.now(UTC).isoformat(),
        "payload": {"order_id": order_id, "customer": customer, "amount_cents": amount_cents},
    }


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def handle_order_event(raw: bytes, store: OrderStats) -> bool:
    """Apply one order.created message to ``store``; True only when it was applied now."""
    try:
        event = json.loads(raw)
    except (ValueError, TypeError):  # not JSON, or not UTF-8 (UnicodeDecodeError is a ValueError)
        return False
    if not isinstance(event, dict) or event.get("type") != "order.created":
        return False
    event_id, payload = event.get("event_id"), event.get("payload")
    if not isinstance(event_id, str) or not event_id or not isinstance(payload, dict):
        return False
    if not (
        _is_int(payload.get("order_id"))
        and isinstance(payload.get("customer"), str)
        and _is_int(payload.get("amount_cents"))
    ):
        return False
    if event_id in store.processed:  # a redelivery: Kafka delivers at least once
        return False
    store.processed.add(event_id)
    store.order_count += 1
    store.revenue_cents += payload["amount_cents"]
    return True
