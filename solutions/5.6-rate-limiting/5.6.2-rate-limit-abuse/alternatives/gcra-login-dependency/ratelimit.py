"""Another design: the token bucket stored as one number per key (GCRA). Instead of the tokens,
each key keeps the moment its bucket will be full again; everything else follows from it."""

import math
import threading
import time
from collections.abc import Callable
from typing import NamedTuple

from fastapi import HTTPException, Request, Response


class Decision(NamedTuple):
    allowed: bool
    remaining: int
    retry_after: float


class TokenBucketLimiter:
    def __init__(
        self,
        capacity: int,
        refill_per_sec: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (isinstance(capacity, int) and capacity >= 1):
            raise ValueError(f"capacity must be a whole number >= 1, not {capacity!r}")
        if refill_per_sec <= 0:
            raise ValueError(f"refill_per_sec must be > 0, not {refill_per_sec!r}")
        self.capacity = capacity
        self.interval = 1 / refill_per_sec  # seconds per token
        self.clock = clock
        self._full_at: dict[str, float] = {}  # key -> when its bucket is full again
        self._lock = threading.Lock()

    def hit(self, key: str) -> Decision:
        with self._lock:
            now = self.clock()
            full_at = max(self._full_at.get(key, now), now)
            missing = (full_at - now) / self.interval  # tokens missing from a full bucket
            if missing <= self.capacity - 1:
                self._full_at[key] = full_at + self.interval
                return Decision(True, math.floor(self.capacity - missing - 1), 0.0)
            return Decision(False, 0, (missing - (self.capacity - 1)) * self.interval)

    def prune(self) -> int:
        with self._lock:
            now = self.clock()
            full = [key for key, full_at in self._full_at.items() if full_at <= now]
            for key in full:
                del self._full_at[key]
            return len(full)

    def __len__(self) -> int:
        return len(self._full_at)


def refuse(decision: Decision) -> HTTPException:
    return HTTPException(
        429,
        "Too many requests",
        headers={
            "Retry-After": str(max(1, math.ceil(decision.retry_after))),
            "X-RateLimit-Remaining": "0",
        },
    )


class RateLimit:
    def __init__(self, limiter: TokenBucketLimiter, key_func: Callable[[Request], str]) -> None:
        self.limiter = limiter
        self.key_func = key_func

    def __call__(self, request: Request, response: Response) -> Decision:
        decision = self.limiter.hit(self.key_func(request))
        if not decision.allowed:
            raise refuse(decision)
        response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
        return decision
