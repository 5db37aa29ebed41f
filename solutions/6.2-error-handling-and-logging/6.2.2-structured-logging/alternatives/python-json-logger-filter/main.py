import hashlib
import logging
import secrets
import sys
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from logging_setup import configure_logging, request_id_var
from pydantic import BaseModel

# The middleware measures durations with monotonic(), looked up here at every request.
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


@app.middleware("http")
async def log_requests(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    request_id = str(uuid.uuid4())
    # kept in the request's state too: the 500 handler below runs outside this middleware
    request.state.request_id = request_id
    token = request_id_var.set(request_id)
    started = monotonic()
    status_code, exc_type = 500, None
    try:
        response = await call_next(request)
        status_code = response.status_code
        response.headers["X-Request-ID"] = request_id
        return response
    except Exception as exc:
        exc_type = type(exc).__name__
        raise
    finally:
        fields = {
            "method": request.method,
            "path": request.url.path,
            "status_code": status_code,
            "duration_ms": int((monotonic() - started) * 1000),
        }
        if exc_type is None:
            logger.info("request_completed", extra=fields)
        else:
            logger.error("request_completed", extra={**fields, "exc_type": exc_type})
        request_id_var.reset(token)


@app.exception_handler(Exception)
async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's ServerErrorMiddleware, outside the middleware above, calls this handler for
    the exception the middleware logged and re-raised: the 500 carries the id too."""
    request_id = getattr(request.state, "request_id", None)
    headers = {"X-Request-ID": request_id} if request_id else None
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500, headers=headers)


@app.get("/orders/{order_id}")
async def read_order(order_id: int) -> dict:
    order = ORDERS.get(order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="Order not found")
    logger.info("order_viewed", extra={"order_id": order_id})
    return order


@app.post("/login")
async def login(form: Login) -> dict:
    stored = USERS.get(form.username)
    given = hashlib.sha256(form.password.encode()).hexdigest()
    success = stored is not None and secrets.compare_digest(stored, given)
    # the username, never the form: the form holds the password
    logger.info("login_attempt", extra={"username": form.username, "success": success})
    if not success:
        raise HTTPException(status_code=401, detail="Invalid credentials")
    return {"username": form.username}
