from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.responses import PlainTextResponse

MAX_BODY_SIZE = 1024 * 1024  # 1 MiB

# FastAPI's built-in limit: a body over MAX_BODY_SIZE bytes (declared in Content-Length, or
# counted while it is read) is answered 413, on every route of the app.
app = FastAPI(max_body_size=MAX_BODY_SIZE)

# The middleware added last is the outermost: the host is checked before CORSMiddleware
# answers a preflight, and GZipMiddleware sits innermost.
app.add_middleware(GZipMiddleware, minimum_size=1000)
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com"],
    allow_credentials=True,
    allow_methods=["GET", "POST"],
)
app.add_middleware(TrustedHostMiddleware, allowed_hosts=["api.example.com", "testserver"])


@app.get("/report")
def report(size: int = 10) -> PlainTextResponse:
    """A plain-text report of exactly `size` bytes."""
    return PlainTextResponse("r" * size)


@app.post("/upload")
async def upload(request: Request) -> dict:
    body = await request.body()
    return {"size": len(body)}
