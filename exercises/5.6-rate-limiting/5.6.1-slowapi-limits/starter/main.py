from fastapi import FastAPI, HTTPException, Request, Response  # noqa: F401
from pydantic import BaseModel
from slowapi import Limiter, _rate_limit_exceeded_handler  # noqa: F401
from slowapi.errors import RateLimitExceeded  # noqa: F401
from slowapi.middleware import SlowAPIMiddleware  # noqa: F401
from slowapi.util import get_remote_address  # noqa: F401

# The client apps that hold an API key: key -> app name.
API_KEYS = {
    "ak_7c1e9f04b2d84a3f9e61": "partner-shop",
    "ak_52a8d6e1f0c94b7e13d0": "mobile-app",
}
PRODUCTS = ["red kettle", "blue kettle", "teapot", "coffee grinder", "milk frother"]
USERS = {"ada": "correct horse battery staple"}


class Credentials(BaseModel):
    username: str
    password: str


# TODO: Task 2 - the key function: the app of a known X-API-Key, else the connection's IP
# TODO: Tasks 1, 3, 4 - limiter = Limiter(key_func=..., ...)

app = FastAPI()
# TODO: Task 1 - put the limiter on app.state, handle RateLimitExceeded (429 + Retry-After)
# TODO: Task 3 - the middleware that applies the default limit to routes without their own


# TODO: Task 1 - 5 per minute per client
@app.get("/search")
def search(q: str = "") -> dict:
    return {"q": q, "results": [p for p in PRODUCTS if q.lower() in p]}


# TODO: Task 3 - 3 per minute per client
@app.post("/login")
def login(credentials: Credentials) -> dict:
    if USERS.get(credentials.username) != credentials.password:
        raise HTTPException(status_code=401, detail="Invalid username or password")
    return {"username": credentials.username}


# Task 3 - no limit of its own: the default limit applies
@app.get("/products")
def products() -> dict:
    return {"products": PRODUCTS}


# TODO: Task 3 - never limited
@app.get("/health")
def health() -> dict:
    return {"status": "ok"}
