"""Submissions per token per time window, kept in memory (one server process)."""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimit:
    def __init__(self, allowed: int, window: float) -> None:
        self.allowed, self.window = allowed, window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when this request may go ahead (and it is counted), else seconds to wait."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.allowed:
                return max(seen[0] + self.window - now, 0.001)
            seen.append(now)
            return 0.0
