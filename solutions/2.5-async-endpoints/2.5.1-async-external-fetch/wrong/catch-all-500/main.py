# WRONG: catches every exception into one generic 500 instead of mapping upstream failures.
from collections.abc import AsyncIterator
from typing import Annotated, Literal

import httpx
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel

WEATHER_URL = "https://api.weather.example"

app = FastAPI()


async def get_http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=WEATHER_URL, timeout=5) as client:
        yield client


HttpClient = Annotated[httpx.AsyncClient, Depends(get_http_client)]


class Current(BaseModel):
    temp_c: float


class UpstreamWeather(BaseModel):
    current: Current


class Weather(BaseModel):
    city: str
    temp_c: float
    source: Literal["upstream"] = "upstream"


@app.get("/weather/{city}")
async def weather(city: str, client: HttpClient) -> Weather:
    try:
        response = await client.get("/v1/current", params={"city": city})
        response.raise_for_status()
        payload = UpstreamWeather.model_validate_json(response.content)
    except Exception:
        raise HTTPException(status_code=500, detail="something went wrong") from None

    return Weather(city=city, temp_c=payload.current.temp_c)
