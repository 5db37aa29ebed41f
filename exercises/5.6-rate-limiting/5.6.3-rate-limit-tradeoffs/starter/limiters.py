import math  # noqa: F401
from collections.abc import Callable


class DictStore:
    """Task 1 - state in this process's memory. Its methods are yours to design."""


class RedisStore:
    """Task 3 - state in Redis, shared by every process; atomic (Task 4); keys with a TTL."""

    def __init__(self, redis) -> None:
        self.redis = redis


class FixedWindowLimiter:
    # TODO: Task 1 - validate; at most `limit` hits per key in each window n = floor(now / window)
    def __init__(self, limit: int, window: float, clock: Callable[[], float], store) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.store = store

    def hit(self, key: str) -> bool:
        return True


class SlidingWindowLogLimiter:
    # TODO: Task 2 - log the allowed hits; fewer than `limit` in (now - window, now] to pass
    def __init__(self, limit: int, window: float, clock: Callable[[], float], store) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.store = store

    def hit(self, key: str) -> bool:
        return True
