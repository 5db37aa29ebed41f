"""Another design: the Redis sliding log decides under WATCH (optimistic locking, retried when
another process changed the key), the fixed window creates its counter with SET NX EX, and the
DictStore keeps each log in a deque bounded by the limit."""

from collections import deque
from collections.abc import Callable
from itertools import count

from redis.exceptions import WatchError


class DictStore:
    def __init__(self) -> None:
        self.counters: dict[str, list[int]] = {}  # name -> [window number, hits]
        self.logs: dict[str, deque[float]] = {}

    def fixed_hit(self, name: str, number: int, ttl: int) -> int:
        slot = self.counters.setdefault(name, [number, 0])
        if slot[0] != number:
            slot[:] = [number, 0]
        slot[1] += 1
        return slot[1]

    def log_hit(self, name: str, now: float, window: float, limit: int) -> bool:
        log = self.logs.setdefault(name, deque(maxlen=limit))
        while log and log[0] <= now - window:
            log.popleft()
        if len(log) >= limit:
            return False
        log.append(now)
        return True


class RedisStore:
    _sequence = count()

    def __init__(self, redis) -> None:
        self.redis = redis

    def fixed_hit(self, name: str, number: int, ttl: int) -> int:
        key = f"{name}@{number}"
        with self.redis.pipeline() as pipe:
            pipe.set(key, 0, ex=ttl, nx=True)
            pipe.incr(key)
            _, hits = pipe.execute()
        return int(hits)

    def log_hit(self, name: str, now: float, window: float, limit: int) -> bool:
        member = f"{now:.6f}#{id(self)}#{next(self._sequence)}"
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(name)
                    recent = pipe.zcount(name, f"({now - window}", "+inf")
                    if recent >= limit:
                        pipe.unwatch()
                        return False
                    pipe.multi()
                    pipe.zremrangebyscore(name, "-inf", now - window)
                    pipe.zadd(name, {member: now})
                    pipe.expire(name, max(1, round(window)))
                    pipe.execute()
                    return True
                except WatchError:
                    continue


class FixedWindowLimiter:
    def __init__(self, limit: int, window: float, clock: Callable[[], float], store) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a limiter needs limit >= 1 and window > 0")
        self.limit, self.window, self.clock, self.store = limit, window, clock, store

    def hit(self, key: str) -> bool:
        number = int(self.clock() // self.window)
        ttl = max(1, round(self.window))
        return self.store.fixed_hit(f"fw|{self.window}|{key}", number, ttl) <= self.limit


class SlidingWindowLogLimiter:
    def __init__(self, limit: int, window: float, clock: Callable[[], float], store) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a limiter needs limit >= 1 and window > 0")
        self.limit, self.window, self.clock, self.store = limit, window, clock, store

    def hit(self, key: str) -> bool:
        return self.store.log_hit(f"swl|{self.window}|{key}", self.clock(), self.window, self.limit)
