from time import perf_counter

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.middleware.base import BaseHTTPMiddleware

REGISTRY = CollectorRegistry()
REQUEST_COUNT = Counter(
    "http_requests_total", "count", ("method", "path", "status"), registry=REGISTRY
)
REQUEST_TIME = Histogram(
    "http_request_duration_seconds", "time", ("method", "path"), registry=REGISTRY
)
INFLIGHT = Gauge("http_requests_in_progress", "inflight", ("method",), registry=REGISTRY)


class MetricsMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        if request.method == "GET" and request.url.path == "/metrics":
            return await call_next(request)
        gauge = INFLIGHT.labels(request.method)
        gauge.inc()
        t0 = perf_counter()
        code = "500"
        try:
            resp = await call_next(request)
            code = str(resp.status_code)
            return resp
        finally:
            route = request.scope.get("route")
            template = route.path if route is not None else "__unmatched__"
            REQUEST_TIME.labels(request.method, template).observe(perf_counter() - t0)
            REQUEST_COUNT.labels(request.method, template, code).inc()
            gauge.dec()
