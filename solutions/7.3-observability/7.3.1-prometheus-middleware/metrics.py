"""Prometheus metrics for the app, on a registry of their own, and the ASGI middleware that
records them."""

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests answered, by method, route template and status.",
    ["method", "path", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time spent answering HTTP requests, in seconds.",
    ["method", "path"],
    registry=REGISTRY,
)
IN_PROGRESS = Gauge(
    "http_requests_in_progress",
    "HTTP requests being handled right now.",
    ["method"],
    registry=REGISTRY,
)

UNMATCHED = "__unmatched__"
SCRAPE = ("GET", "/metrics")  # only this request goes unmeasured


class PrometheusMiddleware:
    """Pure ASGI middleware: the status comes from the `http.response.start` message, the route
    template from `scope["route"]`, which the router sets once a route matched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or (scope["method"], scope["path"]) == SCRAPE:
            await self.app(scope, receive, send)
            return

        method = scope["method"]
        status = 500

        async def send_with_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        IN_PROGRESS.labels(method=method).inc()
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_status)
        except Exception:
            status = 500
            raise
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            path = getattr(route, "path", None) or UNMATCHED
            REQUESTS.labels(method=method, path=path, status=str(status)).inc()
            LATENCY.labels(method=method, path=path).observe(elapsed)
            IN_PROGRESS.labels(method=method).dec()
