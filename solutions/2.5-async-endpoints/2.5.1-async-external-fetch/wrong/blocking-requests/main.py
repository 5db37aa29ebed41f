# WRONG: blocking `requests` in a def handler instead of the injected httpx.AsyncClient.
from collections.abc import AsyncIterator

import httpx
import requests
from fastapi import FastAPI, HTTPException

WEATHER_URL = "https://api.weather.example"

app = FastAPI()


async def get_http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=WEATHER_URL, timeout=5) as client:
        yield client


@app.get("/weather/{city}")
def weather(city: str) -> dict:
    try:
        response = requests.get(f"{WEATHER_URL}/v1/current", params={"city": city}, timeout=5)
    except requests.Timeout:
        raise HTTPException(status_code=504, detail="the weather service timed out") from None
    except requests.RequestException:
        raise HTTPException(status_code=502, detail="the weather service is unreachable") from None
    if response.status_code == 404:
        raise HTTPException(status_code=404, detail=f"unknown city: {city}")
    if not response.ok:
        raise HTTPException(status_code=502, detail="the weather service failed")
    try:
        temp_c = response.json()["current"]["temp_c"]
    except (ValueError, KeyError, TypeError):
        raise HTTPException(status_code=502, detail="the weather service sent bad data") from None
    return {"city": city, "temp_c": temp_c, "source": "upstream"}
