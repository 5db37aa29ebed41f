"""Another design: the login's two limits are a dependency that shares the endpoint's body, and
the per-IP bucket is checked first."""

import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel
from ratelimit import RateLimit, TokenBucketLimiter, refuse

ITEMS = [{"id": 1, "name": "kettle"}, {"id": 2, "name": "teapot"}, {"id": 3, "name": "mug"}]
USERS = {"ada": "correct horse battery staple", "grace": "hopper-1906"}


class Credentials(BaseModel):
    username: str
    password: str


def peer(request: Request) -> str:
    return request.client.host if request.client else "0.0.0.0"


def normalise(username: str) -> str:
    return username.strip().lower()


def create_app(clock: Callable[[], float] = time.monotonic) -> FastAPI:
    per_ip = TokenBucketLimiter(10, 0.1, clock)
    per_user_and_ip = TokenBucketLimiter(3, 0.05, clock)

    def throttle_login(credentials: Credentials, request: Request) -> str:
        ip = peer(request)
        user = normalise(credentials.username)
        for limiter, key in ((per_ip, ip), (per_user_and_ip, f"{user}\n{ip}")):
            decision = limiter.hit(key)
            if not decision.allowed:
                raise refuse(decision)
        return user

    app = FastAPI()

    @app.get("/items", dependencies=[Depends(RateLimit(TokenBucketLimiter(10, 1, clock), peer))])
    def list_items():
        return {"items": ITEMS}

    @app.post("/login")
    def login(credentials: Credentials, user: Annotated[str, Depends(throttle_login)]):
        if user not in USERS or USERS[user] != credentials.password:
            raise HTTPException(401, "Invalid username or password")
        return {"username": user}

    return app


app = create_app()
