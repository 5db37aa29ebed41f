"""A token-bucket rate limiter on an injected clock, and a FastAPI dependency that enforces it."""

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int  # whole tokens left in the bucket after this request
    retry_after: float  # seconds until the next token; 0.0 when allowed


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    """One bucket per key: `capacity` tokens when full, refilled at `refill_per_sec` tokens a
    second; each allowed request takes one token, a refused one takes nothing."""

    def __init__(
        self,
        capacity: int,
        refill_per_sec: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if not refill_per_sec > 0:
            raise ValueError("refill_per_sec must be positive")
        self.capacity = capacity
        self.refill_per_sec = refill_per_sec
        self.clock = clock
        self._buckets: dict[Hashable, _Bucket] = {}

    def _refilled(self, bucket: _Bucket, now: float) -> float:
        elapsed = max(0.0, now - bucket.updated)
        return min(self.capacity, bucket.tokens + elapsed * self.refill_per_sec)

    def hit(self, key: Hashable) -> Decision:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=self.capacity, updated=now)
        bucket.tokens = self._refilled(bucket, now)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Decision(True, math.floor(bucket.tokens), 0.0)
        wait = (1 - bucket.tokens) / self.refill_per_sec
        return Decision(False, 0, wait)

    def prune(self) -> int:
        """Forget the buckets that are full again (a full bucket is a new one); how many."""
        now = self.clock()
        full = [k for k, b in self._buckets.items() if self._refilled(b, now) >= self.capacity]
        for key in full:
            del self._buckets[key]
        return len(full)

    def __len__(self) -> int:
        return len(self._buckets)


def too_many_requests(decision: Decision) -> HTTPException:
    """The 429 of a refused decision: Retry-After in whole seconds, rounded up, at least 1."""
    return HTTPException(
        status_code=429,
        detail="Too many requests",
        headers={
            "Retry-After": str(max(1, math.ceil(decision.retry_after))),
            "X-RateLimit-Remaining": "0",
        },
    )


class RateLimit:
    """A dependency: `Depends(RateLimit(limiter, key_func))` refuses a request over its limit
    before the endpoint runs, and tells an allowed one how many requests it has left."""

    def __init__(self, limiter: TokenBucketLimiter, key_func: Callable[[Request], str]) -> None:
        self.limiter = limiter
        self.key_func = key_func

    async def __call__(self, request: Request, response: Response) -> None:
        decision = self.limiter.hit(self.key_func(request))
        if not decision.allowed:
            raise too_many_requests(decision)
        response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
