"""A resilient HTTP client: timeouts, retries with exponential backoff, a circuit breaker."""

import random
import time
import uuid
from collections.abc import Callable

import httpx

IDEMPOTENT_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}


class UpstreamError(Exception):
    """The upstream failed (5xx or a transport error) and no attempt is left."""


class CircuitOpenError(Exception):
    """The breaker is open: the upstream is not called at all."""


class CircuitBreaker:
    """closed → (failure_threshold failures in a row) → open → (reset_timeout) → half_open."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.reset_timeout:
            return "half_open"
        return "open"

    def before_call(self) -> None:
        if self.state == "open":
            raise CircuitOpenError("the circuit is open: upstream not called")

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None

    def record_failure(self) -> None:
        if self.state == "half_open":  # the probe failed: open again, for a full reset_timeout
            self.opened_at = self.clock()
            return
        self.failures += 1
        if self.failures >= self.failure_threshold:
            self.opened_at = self.clock()


class ResilientClient:
    def __init__(
        self,
        transport: httpx.BaseTransport,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: float = 0.0,
        *,
        base_url: str = "http://upstream",
        timeout: float = 2.0,
        retries: int = 3,
        backoff: float = 0.1,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
    ) -> None:
        self.sleep = sleep
        self.jitter = jitter
        self.retries = retries
        self.backoff = backoff
        self.breaker = CircuitBreaker(failure_threshold, reset_timeout, clock)
        self.http = httpx.Client(
            transport=transport, base_url=base_url, timeout=httpx.Timeout(timeout)
        )

    def request(
        self, method: str, url: str, *, request_id: str | None = None, **kwargs
    ) -> httpx.Response:
        method = method.upper()
        headers = dict(kwargs.pop("headers", None) or {})
        headers["X-Request-ID"] = request_id or uuid.uuid4().hex
        attempts = 1 + (self.retries if method in IDEMPOTENT_METHODS else 0)
        for attempt in range(attempts):
            self.breaker.before_call()  # before the backoff: never sleep to find it open
            if attempt:
                delay = self.backoff * 2 ** (attempt - 1)
                self.sleep(delay + random.uniform(0, self.jitter))
            try:
                response = self.http.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                self.breaker.record_failure()
                error: Exception = exc
                continue
            if response.status_code >= 500:
                self.breaker.record_failure()
                error = httpx.HTTPStatusError(
                    f"{method} {url} answered {response.status_code}",
                    request=response.request,
                    response=response,
                )
                continue
            self.breaker.record_success()
            return response
        raise UpstreamError(f"{method} {url} failed after {attempts} attempt(s)") from error

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self.http.close()
