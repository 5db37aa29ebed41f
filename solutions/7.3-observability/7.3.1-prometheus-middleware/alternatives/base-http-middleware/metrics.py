"""The three request metrics, registered on a registry of their own."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()

# prometheus_client adds the `_total` suffix to a Counter's sample itself.
REQUESTS = Counter(
    "http_requests", "Requests answered.", ["method", "path", "status"], registry=REGISTRY
)
DURATION = Histogram(
    "http_request_duration_seconds",
    "Request duration in seconds.",
    ["method", "path"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
IN_FLIGHT = Gauge("http_requests_in_progress", "Requests in flight.", ["method"], registry=REGISTRY)
