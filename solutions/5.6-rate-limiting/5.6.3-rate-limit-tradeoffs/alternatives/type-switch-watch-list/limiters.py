"""Another design: the stores only hold state; each limiter switches on the store type. The Redis
log is a list rewritten under WATCH (optimistic locking, retried on WatchError)."""

import math
from collections.abc import Callable

from redis.exceptions import WatchError


class DictStore:
    def __init__(self) -> None:
        self.data: dict = {}


class RedisStore:
    def __init__(self, redis) -> None:
        self.redis = redis


def _check(limit, window):
    if limit < 1:
        raise ValueError("limit must be >= 1")
    if window <= 0:
        raise ValueError("window must be > 0")


class FixedWindowLimiter:
    def __init__(self, limit: int, window: float, clock: Callable[[], float], store) -> None:
        _check(limit, window)
        self.limit = limit
        self.window = window
        self.clock = clock
        self.store = store

    def hit(self, key: str) -> bool:
        n = math.floor(self.clock() / self.window)
        if isinstance(self.store, RedisStore):
            name = f"fixed:{self.window}:{key}:{n}"
            p = self.store.redis.pipeline()
            p.incr(name)
            p.expire(name, math.ceil(self.window), nx=True)
            count = p.execute()[0]
        else:
            slot = ("fixed", self.window, key)
            old_n, old_count = self.store.data.get(slot, (n, 0))
            count = old_count + 1 if old_n == n else 1
            self.store.data[slot] = (n, count)
        return count <= self.limit


class SlidingWindowLogLimiter:
    def __init__(self, limit: int, window: float, clock: Callable[[], float], store) -> None:
        _check(limit, window)
        self.limit = limit
        self.window = window
        self.clock = clock
        self.store = store

    def hit(self, key: str) -> bool:
        now = self.clock()
        if isinstance(self.store, RedisStore):
            return self._redis_hit(f"log:{self.window}:{key}", now)
        slot = ("log", self.window, key)
        recent = [t for t in self.store.data.get(slot, []) if t > now - self.window]
        ok = len(recent) < self.limit
        if ok:
            recent.append(now)
        self.store.data[slot] = recent
        return ok

    def _redis_hit(self, name: str, now: float) -> bool:
        with self.store.redis.pipeline() as p:
            while True:
                try:
                    p.watch(name)
                    times = [float(t) for t in p.lrange(name, 0, -1)]
                    recent = [t for t in times if t > now - self.window]
                    if len(recent) >= self.limit:
                        p.unwatch()
                        return False
                    p.multi()
                    p.delete(name)
                    p.rpush(name, *recent, now)
                    p.expire(name, math.ceil(self.window))
                    p.execute()
                    return True
                except WatchError:
                    continue
