"""Two rate-limit algorithms, each on a store of this process or on Redis.

Fixed window: one counter per key and window; cheap, but 2 × limit can pass around a window's
end. Sliding log: the times of the last allowed hits; exact, but `limit` entries per key. The
store decides who shares a limit: a DictStore is one process, Redis is every process."""

import math
import uuid
from collections.abc import Callable

from redis.exceptions import WatchError


class DictStore:
    """State in this process's memory: limiters that share this object share their counts."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}  # name -> (window number, count)
        self._logs: dict[str, list[float]] = {}  # name -> times of the allowed hits, oldest first

    def count_in_window(self, name: str, number: int, window: float) -> int:
        current, count = self._windows.get(name, (number, 0))
        count = count + 1 if current == number else 1
        self._windows[name] = (number, count)
        return count

    def log_if_room(self, name: str, now: float, window: float, limit: int) -> bool:
        log = [t for t in self._logs.get(name, []) if t > now - window]
        allowed = len(log) < limit
        if allowed:
            log.append(now)
        self._logs[name] = log
        return allowed


class RedisStore:
    """State in Redis, shared by every process that uses it. Each check-and-update is one
    atomic step (a MULTI/EXEC transaction); each key expires after a duration in seconds,
    because Redis's clock is not the limiter's."""

    def __init__(self, redis) -> None:
        self.redis = redis

    def count_in_window(self, name: str, number: int, window: float) -> int:
        key = f"{name}:{number}"
        pipe = self.redis.pipeline()  # transaction=True: MULTI ... EXEC
        pipe.incr(key)
        pipe.expire(key, math.ceil(window))
        count, _ = pipe.execute()
        return int(count)

    def log_if_room(self, name: str, now: float, window: float, limit: int) -> bool:
        # WATCH the log, count it, then write only in MULTI/EXEC: if another process changed
        # the log in between, EXEC fails and we count again. A refused hit is never written,
        # so a process that dies at any point leaves no entry behind.
        edge = now - window
        while True:
            with self.redis.pipeline() as pipe:
                try:
                    pipe.watch(name)
                    allowed = pipe.zcount(name, f"({edge!r}", "+inf") < limit
                    pipe.multi()
                    pipe.zremrangebyscore(name, "-inf", edge)
                    if allowed:
                        pipe.zadd(name, {f"{now!r}:{uuid.uuid4().hex}": now})
                    pipe.expire(name, math.ceil(window))
                    pipe.execute()
                    return allowed
                except WatchError:
                    continue


class _Limiter:
    kind = ""

    def __init__(self, limit: int, window: float, clock: Callable[[], float], store) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if not window > 0:
            raise ValueError("window must be positive")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.store = store

    def _name(self, key: str) -> str:
        return f"rl:{self.kind}:{self.window!r}:{key}"


class FixedWindowLimiter(_Limiter):
    """At most `limit` hits per key in each window [n·window, (n+1)·window) of the clock."""

    kind = "fixed"

    def hit(self, key: str) -> bool:
        number = math.floor(self.clock() / self.window)
        return self.store.count_in_window(self._name(key), number, self.window) <= self.limit


class SlidingWindowLogLimiter(_Limiter):
    """At most `limit` allowed hits per key in any `window` seconds."""

    kind = "log"

    def hit(self, key: str) -> bool:
        return self.store.log_if_room(self._name(key), self.clock(), self.window, self.limit)
