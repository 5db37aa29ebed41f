"""The app to measure, with the metrics middleware and GET /metrics."""

from fastapi import FastAPI, HTTPException, Response
from metrics import REGISTRY, PrometheusMiddleware
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

app = FastAPI(title="Inventory")
app.add_middleware(PrometheusMiddleware)


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


@app.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
