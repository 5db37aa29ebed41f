"""Alternative design: the breaker keeps an explicit state with transitions, and the retry logic
lives in a custom httpx transport that wraps the given one."""

import random
import secrets
import time
from enum import StrEnum

import httpx


class UpstreamError(Exception):
    pass


class CircuitOpenError(Exception):
    pass


class State(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(self, failure_threshold=5, reset_timeout=30.0, clock=time.monotonic):
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        self._state = State.CLOSED
        self._failures_in_a_row = 0
        self._opened_at = 0.0

    @property
    def state(self) -> str:
        if self._state is State.OPEN and self.clock() >= self._opened_at + self.reset_timeout:
            self._state = State.HALF_OPEN
        return self._state.value

    def _open(self) -> None:
        self._state = State.OPEN
        self._opened_at = self.clock()

    def guard(self) -> None:
        if self.state == State.OPEN:
            raise CircuitOpenError("circuit open")

    def on_result(self, ok: bool) -> None:
        if ok:
            self._state = State.CLOSED
            self._failures_in_a_row = 0
        elif self.state == State.HALF_OPEN:
            self._open()
        else:
            self._failures_in_a_row += 1
            if self._failures_in_a_row >= self.failure_threshold:
                self._open()


class _RetryingTransport(httpx.BaseTransport):
    SAFE = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

    def __init__(self, inner, breaker, sleep, retries, backoff, jitter):
        self.inner = inner
        self.breaker = breaker
        self.sleep = sleep
        self.retries = retries
        self.backoff = backoff
        self.jitter = jitter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        retries_left = self.retries if request.method in self.SAFE else 0
        wait = self.backoff
        while True:
            self.breaker.guard()
            try:
                response = self.inner.handle_request(request)
            except httpx.TransportError as exc:
                self.breaker.on_result(False)
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 500:
                    self.breaker.on_result(True)
                    return response
                self.breaker.on_result(False)
                response.close()
                problem = f"status {response.status_code}"
            if retries_left == 0:
                raise UpstreamError(f"{request.method} {request.url}: {problem}")
            retries_left -= 1
            self.breaker.guard()  # an open breaker ends the call before the backoff
            self.sleep(wait + (random.uniform(0, self.jitter) if self.jitter else 0))
            wait *= 2


class ResilientClient:
    def __init__(
        self,
        transport,
        clock=time.monotonic,
        sleep=time.sleep,
        jitter=0,
        *,
        base_url="http://upstream",
        timeout=2.0,
        retries=3,
        backoff=0.1,
        failure_threshold=5,
        reset_timeout=30.0,
    ):
        self.breaker = CircuitBreaker(failure_threshold, reset_timeout, clock)
        self._client = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            transport=_RetryingTransport(transport, self.breaker, sleep, retries, backoff, jitter),
        )

    def request(self, method, url, *, request_id=None, **kwargs):
        headers = httpx.Headers(kwargs.pop("headers", None))
        headers["X-Request-ID"] = request_id if request_id is not None else secrets.token_hex(8)
        return self._client.request(method, url, headers=headers, **kwargs)

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self.request("POST", url, **kwargs)
