import time
import uuid

from fastapi import FastAPI, HTTPException, Request

app = FastAPI()

# The clock the middleware measures with: seconds, like time.perf_counter. The tests replace
# `main.timer` with a fake clock, so call it through this name at request time.
timer = time.perf_counter

ITEMS = {1: {"id": 1, "name": "hammer"}, 2: {"id": 2, "name": "saw"}}


def request_id_for(incoming: str | None) -> str:
    """The canonical form of a valid incoming id, or a new random one."""
    if incoming is not None:
        try:
            return str(uuid.UUID(incoming))
        except ValueError:
            pass  # not a UUID: never echo it, it may be an injection attempt
    return str(uuid.uuid4())


@app.middleware("http")
async def request_id_and_timing(request: Request, call_next):
    start = timer()
    request_id = request_id_for(request.headers.get("x-request-id"))
    request.state.request_id = request_id  # handlers read it as request.state.request_id
    response = await call_next(request)
    elapsed_ms = (timer() - start) * 1000
    response.headers["X-Request-ID"] = request_id
    response.headers["X-Process-Time-Ms"] = f"{elapsed_ms:.3f}"
    return response


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail="Item not found")
    return ITEMS[item_id]


@app.get("/whoami")
def whoami(request: Request) -> dict:
    return {"request_id": request.state.request_id}
