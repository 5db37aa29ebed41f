"""A small shop API with rate limits from slowapi: per client, per route, on a moving window."""

from fastapi import FastAPI, HTTPException, Request, Response
from pydantic import BaseModel
from slowapi import Limiter, _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from slowapi.middleware import SlowAPIMiddleware
from slowapi.util import get_remote_address

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


def api_key_or_ip(request: Request) -> str:
    """The client a request is counted against: its app when it sends a known API key,
    else its IP address as the server saw the connection (never a header the client chose)."""
    app_name = API_KEYS.get(request.headers.get("X-API-Key", ""))
    if app_name is not None:
        return f"key:{app_name}"
    return f"ip:{get_remote_address(request)}"


limiter = Limiter(
    key_func=api_key_or_ip,
    default_limits=["10/minute"],
    strategy="moving-window",
    headers_enabled=True,
)

app = FastAPI()
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)
app.add_middleware(SlowAPIMiddleware)


@app.get("/search")
@limiter.limit("5/minute")
def search(request: Request, response: Response, q: str = "") -> dict:
    return {"q": q, "results": [p for p in PRODUCTS if q.lower() in p]}


@app.post("/login")
@limiter.limit("3/minute")
def login(request: Request, response: Response, credentials: Credentials) -> dict:
    if USERS.get(credentials.username) != credentials.password:
        raise HTTPException(status_code=401, detail="Invalid username or password")
    return {"username": credentials.username}


@app.get("/products")
def products() -> dict:
    return {"products": PRODUCTS}


@app.get("/health")
@limiter.exempt
def health() -> dict:
    return {"status": "ok"}
