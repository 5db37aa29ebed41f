import hashlib
import secrets
import sys
import time
import uuid

import structlog
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from logging_setup import configure_logging
from pydantic import BaseModel

monotonic = time.perf_counter

configure_logging(sys.stderr)
log = structlog.get_logger()

ORDERS = {
    1: {"order_id": 1, "status": "shipped"},
    2: {"order_id": 2, "status": "pending"},
}
USERS = {"alice": hashlib.sha256(b"wonderland").hexdigest()}


class Login(BaseModel):
    username: str
    password: str


app = FastAPI()


@app.middleware("http")
async def access_log(request: Request, call_next):
    structlog.contextvars.clear_contextvars()
    rid = uuid.uuid4().hex
    structlog.contextvars.bind_contextvars(request_id=rid)
    t0 = monotonic()
    try:
        response = await call_next(request)
    except Exception as e:
        log.error(
            "request_completed",
            method=request.method,
            path=request.url.path,
            status_code=500,
            duration_ms=(monotonic() - t0) * 1000,
            exc_type=e.__class__.__name__,
        )
        structlog.contextvars.clear_contextvars()
        return JSONResponse(
            {"detail": "Internal Server Error"}, status_code=500, headers={"X-Request-ID": rid}
        )
    log.info(
        "request_completed",
        method=request.method,
        path=request.url.path,
        status_code=response.status_code,
        duration_ms=(monotonic() - t0) * 1000,
    )
    response.headers["X-Request-ID"] = rid
    structlog.contextvars.clear_contextvars()
    return response


@app.get("/orders/{order_id}")
async def read_order(order_id: int) -> dict:
    order = ORDERS.get(order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="Order not found")
    log.info("order_viewed", order_id=order_id)
    return order


@app.post("/login")
async def login(form: Login) -> dict:
    stored = USERS.get(form.username)
    given = hashlib.sha256(form.password.encode()).hexdigest()
    success = stored is not None and secrets.compare_digest(stored, given)
    log.info("login_attempt", username=form.username, success=success)
    if not success:
        raise HTTPException(status_code=401, detail="Invalid credentials")
    return {"username": form.username}
