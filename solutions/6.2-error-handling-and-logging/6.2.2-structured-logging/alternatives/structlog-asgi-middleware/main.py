import hashlib
import secrets
import sys
import time
import uuid

import structlog
from fastapi import FastAPI, HTTPException
from logging_setup import configure_logging
from pydantic import BaseModel
from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

monotonic = time.perf_counter

configure_logging(sys.stderr)
log = structlog.get_logger("shop")

ORDERS = {
    1: {"order_id": 1, "status": "shipped"},
    2: {"order_id": 2, "status": "pending"},
}
USERS = {"alice": hashlib.sha256(b"wonderland").hexdigest()}


class Login(BaseModel):
    username: str
    password: str


class RequestLogMiddleware:
    """Pure ASGI: binds the request id for everything the request runs, sees the status as
    it is sent, and logs one line when the request is done."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        started = monotonic()
        status = {"code": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["started"] = True
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        fields = {"method": scope["method"], "path": scope["path"]}
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            log.error(
                "request_completed",
                **fields,
                status_code=500,
                duration_ms=round((monotonic() - started) * 1000, 3),
                exc_type=type(exc).__name__,
            )
            if status["started"]:
                raise  # too late to answer: the server closes the connection
            # answered here, through send_with_id, so the 500 carries X-Request-ID too
            answer = PlainTextResponse("Internal Server Error", status_code=500)
            await answer(scope, receive, send_with_id)
        else:
            log.info(
                "request_completed",
                **fields,
                status_code=status["code"],
                duration_ms=round((monotonic() - started) * 1000, 3),
            )
        finally:
            structlog.contextvars.reset_contextvars(**tokens)


app = FastAPI()
app.add_middleware(RequestLogMiddleware)


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
