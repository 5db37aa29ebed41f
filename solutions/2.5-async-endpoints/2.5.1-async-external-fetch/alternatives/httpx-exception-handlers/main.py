# ALTERNATIVE: upstream failures mapped by app-level exception handlers
import math
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

WEATHER_URL = "https://api.weather.example"


@asynccontextmanager
async def lifespan(app):
    yield


app = FastAPI(lifespan=lifespan)


class UpstreamError(Exception):
    def __init__(self, status: int, detail: str):
        self.status, self.detail = status, detail


@app.exception_handler(UpstreamError)
async def upstream_error(request: Request, exc: UpstreamError):
    return JSONResponse({"detail": exc.detail}, status_code=exc.status)


@app.exception_handler(httpx.TimeoutException)
async def upstream_timeout(request: Request, exc: Exception):
    return JSONResponse({"detail": "timeout"}, status_code=504)


@app.exception_handler(httpx.TransportError)
async def upstream_down(request: Request, exc: Exception):
    if isinstance(exc, httpx.TimeoutException):
        return JSONResponse({"detail": "timeout"}, status_code=504)
    return JSONResponse({"detail": "unreachable"}, status_code=502)


async def get_http_client():
    async with httpx.AsyncClient(base_url=WEATHER_URL, timeout=5) as c:
        yield c


@app.get("/weather/{city}")
async def weather(city: str, client: Annotated[httpx.AsyncClient, Depends(get_http_client)]):
    resp = await client.get("v1/current", params={"city": city})
    if resp.status_code == 404:
        raise UpstreamError(404, "unknown city")
    if resp.status_code >= 400:
        raise UpstreamError(502, "upstream failed")
    try:
        temp = resp.json()["current"]["temp_c"]
    except Exception:
        raise UpstreamError(502, "bad payload")
    if isinstance(temp, bool) or not isinstance(temp, (int, float)) or not math.isfinite(temp):
        raise UpstreamError(502, "temp_c is not a number")
    return {"city": city, "temp_c": temp, "source": "upstream"}
