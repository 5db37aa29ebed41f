import time
import uuid

from fastapi import FastAPI, HTTPException, Request
from starlette.middleware.base import BaseHTTPMiddleware

timer = time.perf_counter

ITEMS = {1: {"id": 1, "name": "hammer"}, 2: {"id": 2, "name": "saw"}}


def pick_id(raw):
    if raw is None:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return str(uuid.uuid4())


class RequestIdMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        t0 = timer()
        rid = pick_id(request.headers.get("X-Request-ID"))
        request.state.request_id = rid
        response = await call_next(request)
        t1 = timer()
        response.headers["X-Request-ID"] = rid
        response.headers["X-Process-Time-Ms"] = "%.6f" % ((t1 - t0) * 1000.0)
        return response


app = FastAPI()
app.add_middleware(RequestIdMiddleware)


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail="Item not found")
    return ITEMS[item_id]


@app.get("/whoami")
async def whoami(request: Request):
    return {"request_id": request.state.request_id}
