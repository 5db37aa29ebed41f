from collections.abc import AsyncIterator
from typing import Annotated, Literal

import httpx
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, Field, ValidationError

WEATHER_URL = "https://api.weather.example"

app = FastAPI()


async def get_http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=WEATHER_URL, timeout=5) as client:
        yield client


HttpClient = Annotated[httpx.AsyncClient, Depends(get_http_client)]


class Current(BaseModel):
    temp_c: Annotated[float, Field(strict=True, allow_inf_nan=False)]  # a finite JSON number


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
    except httpx.TimeoutException:
        raise HTTPException(status_code=504, detail="the weather service timed out") from None
    except httpx.TransportError:
        raise HTTPException(status_code=502, detail="the weather service is unreachable") from None

    if response.status_code == 404:
        raise HTTPException(status_code=404, detail=f"unknown city: {city}")
    if response.is_error:
        raise HTTPException(
            status_code=502, detail=f"the weather service answered {response.status_code}"
        )
    try:
        payload = UpstreamWeather.model_validate_json(response.content)
    except ValidationError:
        raise HTTPException(status_code=502, detail="the weather service sent bad data") from None

    return Weather(city=city, temp_c=payload.current.temp_c)
