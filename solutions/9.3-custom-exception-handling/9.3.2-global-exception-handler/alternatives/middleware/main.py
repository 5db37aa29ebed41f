import logging
import secrets

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

log = logging.getLogger(__name__)

app = FastAPI()

ITEMS = {1: {"id": 1, "name": "hammer"}, 2: {"id": 2, "name": "saw"}}


@app.middleware("http")
async def catch_everything(request: Request, call_next):
    request_id = request.headers.get("X-Request-ID") or secrets.token_urlsafe(12)
    try:
        return await call_next(request)
    except Exception:
        log.exception("request %s failed", request_id)
        return JSONResponse(
            {"error": "internal_server_error", "request_id": request_id},
            status_code=500,
            headers={"X-Request-ID": request_id},
        )


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail="Item not found")
    return ITEMS[item_id]
