"""The app to measure. Keep its routes; add the metrics middleware and GET /metrics."""

from fastapi import FastAPI, HTTPException

app = FastAPI(title="Inventory")

# TODO (Task 2): add the metrics middleware to `app`.


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


# TODO (Task 3): GET /metrics answers generate_latest(REGISTRY) with CONTENT_TYPE_LATEST.
