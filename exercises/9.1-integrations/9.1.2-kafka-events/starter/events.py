"""The event side: the order.created event and the consumer that applies it."""

from dataclasses import dataclass, field


@dataclass
class OrderStats:
    """What the consumer builds from the events it has applied."""

    processed: set[str] = field(default_factory=set)  # ids of the events applied so far
    order_count: int = 0
    revenue_cents: int = 0


def handle_order_event(raw: bytes, store: OrderStats) -> bool:
    """Apply one order.created message to ``store``; True only when it was applied now."""
    # TODO: parse, validate, skip an event_id already processed, then apply.
    raise NotImplementedError
