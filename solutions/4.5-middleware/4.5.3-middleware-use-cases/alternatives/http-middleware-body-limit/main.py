"""A body limit written as an @app.middleware("http") function, declared after GZipMiddleware
so that GZip sits inside it and still sees each response in one piece."""

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse

ONE_MIB = 1 << 20

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com"],
    allow_credentials=True,
    allow_methods=["GET", "POST"],
)
app.add_middleware(TrustedHostMiddleware, allowed_hosts=["testserver", "api.example.com"])
app.add_middleware(GZipMiddleware, minimum_size=1000)


@app.middleware("http")
async def body_limit(request: Request, call_next):
    too_large = JSONResponse({"detail": "request body over 1 MiB"}, status_code=413)
    declared = request.headers.get("content-length")
    if declared is not None:
        if int(declared) > ONE_MIB:
            return too_large
    elif len(await request.body()) > ONE_MIB:
        # A chunked body is read in full here (BaseHTTPMiddleware replays it to the app). That
        # buffers it in memory first; max_body_size or a pure ASGI middleware count as they go.
        return too_large
    return await call_next(request)


@app.get("/report")
def report(size: int = 10) -> PlainTextResponse:
    """A plain-text report of exactly `size` bytes."""
    return PlainTextResponse("r" * size)


@app.post("/upload")
async def upload(request: Request) -> dict:
    body = await request.body()
    return {"size": len(body)}
