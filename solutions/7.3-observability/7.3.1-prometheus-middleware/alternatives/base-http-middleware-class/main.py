"""The app to measure. Keep its routes; add the metrics middleware and GET /metrics."""

from fastapi import FastAPI, HTTPException, Response
from metrics import REGISTRY, MetricsMiddleware
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

app = FastAPI(title="Inventory")

app.add_middleware(MetricsMiddleware)


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
def metrics():
    return Response(
        content=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )
