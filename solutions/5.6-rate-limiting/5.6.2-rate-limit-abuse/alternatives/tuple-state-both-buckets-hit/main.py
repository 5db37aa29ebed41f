"""Another design: (tokens, last update) tuples per key, and a login that hits both buckets
every time (an attempt refused by one may use a token of the other, as the prompt allows)."""

import math
import time
from collections.abc import Callable

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel
from ratelimit import RateLimit, TokenBucketLimiter

ITEMS = [{"id": 1, "name": "kettle"}, {"id": 2, "name": "teapot"}, {"id": 3, "name": "mug"}]
USERS = {"ada": "correct horse battery staple", "grace": "hopper-1906"}


class Credentials(BaseModel):
    username: str
    password: str


def ip_of(request: Request) -> str:
    return request.client.host


def create_app(clock: Callable[[], float] = time.monotonic) -> FastAPI:
    app = FastAPI()
    items_limit = RateLimit(TokenBucketLimiter(10, 1, clock), ip_of)
    user_ip = TokenBucketLimiter(3, 0.05, clock)
    per_ip = TokenBucketLimiter(10, 0.1, clock)

    @app.get("/items", dependencies=[Depends(items_limit)])
    async def list_items() -> dict:
        return {"items": ITEMS}

    @app.post("/login")
    async def login(credentials: Credentials, request: Request) -> dict:
        name = credentials.username.strip().lower()
        ip = ip_of(request)
        for decision in (per_ip.hit(ip), user_ip.hit(f"{name}@{ip}")):
            if not decision.allowed:
                raise HTTPException(
                    429,
                    "Too many requests",
                    headers={"Retry-After": str(max(1, math.ceil(decision.retry_after)))},
                )
        if USERS.get(name) != credentials.password:
            raise HTTPException(status_code=401, detail="Invalid username or password")
        return {"username": name}

    return app


app = create_app()
