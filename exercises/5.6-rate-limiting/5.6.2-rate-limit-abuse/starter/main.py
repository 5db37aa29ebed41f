import time
from collections.abc import Callable

from fastapi import Depends, FastAPI, HTTPException, Request  # noqa: F401
from pydantic import BaseModel

from ratelimit import RateLimit, TokenBucketLimiter  # noqa: F401

ITEMS = [{"id": 1, "name": "kettle"}, {"id": 2, "name": "teapot"}, {"id": 3, "name": "mug"}]
USERS = {"ada": "correct horse battery staple", "grace": "hopper-1906"}


class Credentials(BaseModel):
    username: str
    password: str


def create_app(clock: Callable[[], float] = time.monotonic) -> FastAPI:
    app = FastAPI()
    # TODO: Task 4 - the limiter of the catalogue (10 tokens, 1 a second, per IP)
    # TODO: Task 5 - the two login limiters (per username and IP; per IP)

    @app.get("/items")
    async def list_items() -> dict:
        return {"items": ITEMS}

    @app.post("/login")
    async def login(credentials: Credentials) -> dict:
        # TODO: Task 5 - normalise the username, check both buckets before the password
        if USERS.get(credentials.username) != credentials.password:
            raise HTTPException(status_code=401, detail="Invalid username or password")
        return {"username": credentials.username}

    return app


app = create_app()
