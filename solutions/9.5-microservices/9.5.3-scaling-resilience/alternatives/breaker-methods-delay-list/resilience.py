import random
import time
import uuid

import httpx


class UpstreamError(Exception):
    pass


class CircuitOpenError(Exception):
    pass


class CircuitBreaker:
    def __init__(self, failure_threshold=5, reset_timeout=30.0, clock=time.monotonic):
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        self.consecutive = 0
        self.open_since = None

    @property
    def state(self):
        if self.open_since is None:
            return "closed"
        elapsed = self.clock() - self.open_since
        return "half_open" if elapsed >= self.reset_timeout else "open"

    def allow(self):
        return self.state != "open"

    def on_success(self):
        self.consecutive = 0
        self.open_since = None

    def on_failure(self):
        was_half_open = self.state == "half_open"
        self.consecutive += 1
        if was_half_open or self.consecutive >= self.failure_threshold:
            self.open_since = self.clock()


class ResilientClient:
    RETRYABLE = ("GET", "HEAD", "OPTIONS", "PUT", "DELETE")

    def __init__(
        self,
        transport,
        clock=time.monotonic,
        sleep=time.sleep,
        jitter=0.0,
        *,
        base_url="http://upstream",
        timeout=2.0,
        retries=3,
        backoff=0.1,
        failure_threshold=5,
        reset_timeout=30.0,
    ):
        self._sleep = sleep
        self._jitter = jitter
        self._retries = retries
        self._backoff = backoff
        self.breaker = CircuitBreaker(failure_threshold, reset_timeout, clock)
        self._client = httpx.Client(transport=transport, base_url=base_url, timeout=timeout)

    def _delays(self, method):
        if method.upper() not in self.RETRYABLE:
            return []
        return [self._backoff * 2**i for i in range(self._retries)]

    def _attempt(self, method, url, headers, kwargs):
        if not self.breaker.allow():
            raise CircuitOpenError(url)
        try:
            response = self._client.request(method, url, headers=headers, **kwargs)
        except httpx.TransportError:
            self.breaker.on_failure()
            return None
        if response.status_code >= 500:
            self.breaker.on_failure()
            return None
        self.breaker.on_success()
        return response

    def request(self, method, url, *, request_id=None, **kwargs):
        headers = {**kwargs.pop("headers", {}), "X-Request-ID": request_id or str(uuid.uuid4())}
        response = self._attempt(method, url, headers, kwargs)
        for delay in self._delays(method):
            if response is not None:
                break
            if not self.breaker.allow():  # opened by this call's failures: no pointless wait
                raise CircuitOpenError(url)
            self._sleep(delay + (random.random() * self._jitter))
            response = self._attempt(method, url, headers, kwargs)
        if response is None:
            raise UpstreamError(f"{method} {url} failed")
        return response

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self.request("POST", url, **kwargs)
