"""An API whose rate limits stop scraping, password guessing and password spraying."""

import time
from collections.abc import Callable

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel
from ratelimit import RateLimit, TokenBucketLimiter, too_many_requests

ITEMS = [{"id": 1, "name": "kettle"}, {"id": 2, "name": "teapot"}, {"id": 3, "name": "mug"}]
USERS = {"ada": "correct horse battery staple", "grace": "hopper-1906"}


class Credentials(BaseModel):
    username: str
    password: str


def client_ip(request: Request) -> str:
    """The address of the connection: never a header, which the client writes itself."""
    return request.client.host if request.client else "unknown"


def create_app(clock: Callable[[], float] = time.monotonic) -> FastAPI:
    app = FastAPI()
    items_limit = RateLimit(TokenBucketLimiter(10, 1.0, clock), client_ip)
    login_per_user = TokenBucketLimiter(3, 0.05, clock)  # 3 tries, then one every 20 s
    login_per_ip = TokenBucketLimiter(10, 0.1, clock)  # 10 tries, then one every 10 s

    @app.get("/items", dependencies=[Depends(items_limit)])
    async def list_items() -> dict:
        return {"items": ITEMS}

    @app.post("/login")
    async def login(credentials: Credentials, request: Request) -> dict:
        username = credentials.username.strip().lower()
        ip = client_ip(request)
        for limiter, key in ((login_per_user, (username, ip)), (login_per_ip, ip)):
            decision = limiter.hit(key)
            if not decision.allowed:
                raise too_many_requests(decision)
        if USERS.get(username) != credentials.password:
            raise HTTPException(status_code=401, detail="Invalid username or password")
        return {"username": username}

    return app


app = create_app()
