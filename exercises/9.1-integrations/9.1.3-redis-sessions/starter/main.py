from fastapi import FastAPI
from redis import Redis

from sessions import RedisSessionStore  # noqa: F401  (you will use it)

# The demo's accounts: user id -> password (a real app stores password hashes).
USERS = {"ada": "lovelace", "bob": "builder"}


def create_app(redis: Redis) -> FastAPI:
    app = FastAPI()
    # TODO: POST /login, GET /me, POST /logout, POST /logout-all; 503 while Redis is down.
    return app
