import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int  # whole tokens left in the bucket after this request
    retry_after: float  # seconds until the next whole token; 0.0 when allowed


class TokenBucketLimiter:
    def __init__(
        self,
        capacity: int,
        refill_per_sec: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity")
        if refill_per_sec <= 0:
            raise ValueError("refill_per_sec")
        self.capacity = capacity
        self.refill_per_sec = refill_per_sec
        self.clock = clock
        self.state: dict[str, tuple[float, float]] = {}

    def _level(self, key, now):
        tokens, last = self.state.get(key, (float(self.capacity), now))
        return min(float(self.capacity), tokens + (now - last) * self.refill_per_sec)

    def hit(self, key: str) -> Decision:
        now = self.clock()
        tokens = self._level(key, now)
        if tokens < 1:
            self.state[key] = (tokens, now)
            return Decision(False, 0, (1 - tokens) / self.refill_per_sec)
        tokens -= 1
        self.state[key] = (tokens, now)
        return Decision(True, int(tokens), 0.0)

    def prune(self) -> int:
        now = self.clock()
        gone = [k for k in self.state if self._level(k, now) >= self.capacity]
        for k in gone:
            self.state.pop(k)
        return len(gone)

    def __len__(self) -> int:
        return len(self.state)


class RateLimit:
    def __init__(self, limiter: TokenBucketLimiter, key_func: Callable[[Request], str]) -> None:
        self.limiter = limiter
        self.key_func = key_func

    async def __call__(self, request: Request, response: Response) -> None:
        d = self.limiter.hit(self.key_func(request))
        if d.allowed:
            response.headers["X-RateLimit-Remaining"] = str(d.remaining)
            return
        raise HTTPException(
            status_code=429,
            detail="Too many requests",
            headers={
                "Retry-After": str(max(1, math.ceil(d.retry_after))),
                "X-RateLimit-Remaining": "0",
            },
        )
