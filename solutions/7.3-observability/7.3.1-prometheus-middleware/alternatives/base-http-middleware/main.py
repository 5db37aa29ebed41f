"""The app, measured by an `@app.middleware("http")` function (a BaseHTTPMiddleware) that finds
the route template by matching the app's routes itself."""

import time

import metrics
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.routing import Match

app = FastAPI(title="Inventory")


def route_template(request: Request) -> str:
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match == Match.FULL:
            return route.path
    return "__unmatched__"


@app.middleware("http")
async def measure(request: Request, call_next):
    if request.method == "GET" and request.url.path == "/metrics":
        return await call_next(request)
    method = request.method
    template = route_template(request)
    metrics.IN_FLIGHT.labels(method).inc()
    start = time.perf_counter()
    status_code = 500
    try:
        response = await call_next(request)
        status_code = response.status_code
        return response
    finally:
        metrics.DURATION.labels(method, template).observe(time.perf_counter() - start)
        metrics.REQUESTS.labels(method, template, str(status_code)).inc()
        metrics.IN_FLIGHT.labels(method).dec()


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict:
    if item_id == 0:
        raise HTTPException(status_code=404, detail="no such item")
    return {"item_id": item_id}


@app.post("/items", status_code=201)
async def create_item() -> dict:
    return {"created": True}


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@app.get("/boom")
async def boom() -> dict:
    raise RuntimeError("something broke")


@app.get("/metrics")
def scrape() -> PlainTextResponse:
    return PlainTextResponse(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)
