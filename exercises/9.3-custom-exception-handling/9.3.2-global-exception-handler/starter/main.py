import logging

from fastapi import FastAPI, HTTPException

logger = logging.getLogger("app.errors")

app = FastAPI()

ITEMS = {1: {"id": 1, "name": "hammer"}, 2: {"id": 2, "name": "saw"}}

# TODO: a handler for every uncaught exception: 500, a request id, the traceback in the log


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail="Item not found")
    return ITEMS[item_id]
