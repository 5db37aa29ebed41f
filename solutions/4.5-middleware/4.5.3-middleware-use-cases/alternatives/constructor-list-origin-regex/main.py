from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

app = FastAPI(
    max_body_size=1_048_576,
    middleware=[
        Middleware(GZipMiddleware, minimum_size=1000, compresslevel=6),
        Middleware(TrustedHostMiddleware, allowed_hosts=["api.example.com", "testserver"]),
        Middleware(
            CORSMiddleware,
            allow_origin_regex=r"https://app\.example\.com",
            allow_credentials=True,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization"],
        ),
    ],
)


@app.get("/report")
def report(size: int = 10) -> PlainTextResponse:
    """A plain-text report of exactly `size` bytes."""
    return PlainTextResponse("r" * size)


@app.post("/upload")
async def upload(request: Request) -> dict:
    body = await request.body()
    return {"size": len(body)}
