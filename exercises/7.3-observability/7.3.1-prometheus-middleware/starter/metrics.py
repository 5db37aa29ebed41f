"""Prometheus metrics for the app, on a registry of their own."""

from prometheus_client import CollectorRegistry

REGISTRY = CollectorRegistry()

# TODO (Task 1): http_requests_total{method,path,status} (Counter),
# http_request_duration_seconds{method,path} (Histogram) and
# http_requests_in_progress{method} (Gauge), all registered on REGISTRY.
