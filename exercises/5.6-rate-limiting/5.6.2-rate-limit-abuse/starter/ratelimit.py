import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response  # noqa: F401


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int  # whole tokens left in the bucket after this request
    retry_after: float  # seconds until the next whole token; 0.0 when allowed


class TokenBucketLimiter:
    # TODO: Task 1 - validate the arguments, keep one bucket per key
    def __init__(
        self,
        capacity: int,
        refill_per_sec: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.refill_per_sec = refill_per_sec
        self.clock = clock

    # TODO: Task 1 - refill from the time passed, take a token or refuse
    def hit(self, key: str) -> Decision:
        return Decision(allowed=True, remaining=self.capacity, retry_after=0.0)

    # TODO: Task 2 - forget the buckets that are full again
    def prune(self) -> int:
        return 0

    def __len__(self) -> int:
        return 0


# TODO: Task 3 - a dependency: 429 with Retry-After and X-RateLimit-Remaining when refused
class RateLimit:
    def __init__(self, limiter: TokenBucketLimiter, key_func: Callable[[Request], str]) -> None:
        self.limiter = limiter
        self.key_func = key_func

    async def __call__(self, request: Request) -> None:
        pass
