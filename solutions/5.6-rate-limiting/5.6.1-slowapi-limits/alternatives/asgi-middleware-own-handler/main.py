"""Another design: async endpoints, the pure-ASGI middleware, and a 429 handler of our own that
answers {"detail": ...} and computes Retry-After from the limiter's window itself."""

import math
import time

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from slowapi.middleware import SlowAPIASGIMiddleware

API_KEYS = {
    "ak_7c1e9f04b2d84a3f9e61": "partner-shop",
    "ak_52a8d6e1f0c94b7e13d0": "mobile-app",
}
PRODUCTS = ["red kettle", "blue kettle", "teapot", "coffee grinder", "milk frother"]
USERS = {"ada": "correct horse battery staple"}


class Credentials(BaseModel):
    username: str
    password: str


def client_key(request: Request) -> str:
    sent = request.headers.get("x-api-key")
    if sent in API_KEYS:
        return "app=" + API_KEYS[sent]
    host = request.client.host if request.client else "unknown"
    return "addr=" + host


limiter = Limiter(
    key_func=client_key,
    default_limits=["10 per minute"],
    strategy="moving-window",
    headers_enabled=True,
)


def too_many_requests(request: Request, exc: RateLimitExceeded) -> Response:
    limit, args = request.state.view_rate_limit
    reset_at, _ = request.app.state.limiter.limiter.get_window_stats(limit, *args)
    # The window still refuses a request at reset_at itself: the first whole second after it
    wait = max(1, math.floor(reset_at - time.time()) + 1)
    return JSONResponse(
        {"detail": f"Too many requests: {exc.detail}"},
        status_code=429,
        headers={"Retry-After": str(wait)},
    )


app = FastAPI()
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, too_many_requests)
app.add_middleware(SlowAPIASGIMiddleware)


@app.get("/search")
@limiter.limit("5 per minute")
async def search(request: Request, response: Response, q: str = "") -> dict:
    return {"q": q, "results": [p for p in PRODUCTS if q.lower() in p]}


@app.post("/login")
@limiter.limit("3 per minute")
async def login(request: Request, response: Response, credentials: Credentials) -> dict:
    if USERS.get(credentials.username) != credentials.password:
        raise HTTPException(status_code=401, detail="Invalid username or password")
    return {"username": credentials.username}


@app.get("/products")
async def products() -> dict:
    return {"products": PRODUCTS}


@app.get("/health")
@limiter.exempt
async def health() -> dict:
    return {"status": "ok"}
