import hashlib
import logging
import secrets
import sys
import time

from fastapi import FastAPI, HTTPException
from logging_setup import configure_logging, request_id_var  # noqa: F401 - for Task 2
from pydantic import BaseModel

# The middleware measures durations with monotonic(), looked up here at every request: the
# tests replace main.monotonic with a clock of their own.
monotonic = time.perf_counter

configure_logging(sys.stderr)
logger = logging.getLogger("shop")

ORDERS = {
    1: {"order_id": 1, "status": "shipped"},
    2: {"order_id": 2, "status": "pending"},
}
# username -> SHA-256 hex digest of the password (a demo store: section 5 hashes properly)
USERS = {"alice": hashlib.sha256(b"wonderland").hexdigest()}


class Login(BaseModel):
    username: str
    password: str


app = FastAPI()


# TODO: Task 2 - a middleware: a new request id per request (in the ContextVar, and in the
#       X-Request-ID header of the answer), then one "request_completed" line with request_id,
#       method, path, status_code, duration_ms (from monotonic()); level error, status 500 and
#       exc_type when the endpoint raises


@app.get("/orders/{order_id}")
async def read_order(order_id: int) -> dict:
    order = ORDERS.get(order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="Order not found")
    # TODO: Task 3 - log the event "order_viewed" with the key order_id
    return order


@app.post("/login")
async def login(form: Login) -> dict:
    stored = USERS.get(form.username)
    given = hashlib.sha256(form.password.encode()).hexdigest()
    success = stored is not None and secrets.compare_digest(stored, given)
    # TODO: Task 3 - log the event "login_attempt" with the keys username and success (and
    #       never the password)
    if not success:
        raise HTTPException(status_code=401, detail="Invalid credentials")
    return {"username": form.username}
