# ALTERNATIVE: a router-level yield dependency counts /io requests; counts on app.state
import asyncio
import threading
import time

from fastapi import APIRouter, Depends, FastAPI, Request, status

IO_SECONDS = 0.2
lock = threading.Lock()


def track(request: Request):
    s = request.app.state
    with lock:
        s.in_flight += 1
        s.max_in_flight = max(s.max_in_flight, s.in_flight)
    try:
        yield
    finally:
        with lock:
            s.in_flight -= 1


app = FastAPI()
app.state.in_flight = 0
app.state.max_in_flight = 0
io = APIRouter(prefix="/io", dependencies=[Depends(track, scope="function")])


@io.get("/async")
async def io_async():
    await asyncio.sleep(IO_SECONDS)
    return {"mode": "async"}


@io.get("/sync")
def io_sync():
    time.sleep(IO_SECONDS)
    return {"mode": "sync"}


app.include_router(io)


@app.get("/stats")
def stats(request: Request):
    return {
        "in_flight": request.app.state.in_flight,
        "max_in_flight": request.app.state.max_in_flight,
    }


@app.post("/stats/reset", status_code=status.HTTP_204_NO_CONTENT)
def reset(request: Request):
    with lock:
        request.app.state.max_in_flight = request.app.state.in_flight
