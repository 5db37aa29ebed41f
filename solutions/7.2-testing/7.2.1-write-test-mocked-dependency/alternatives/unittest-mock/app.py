"""The weather service your tests are about. Don't change it: write tests/test_weather.py."""

from typing import Annotated, Literal

import httpx
from fastapi import Depends, FastAPI, HTTPException

WEATHER_API = "https://api.weather.example/v1"


class WeatherClient:
    """Talks to the real weather API over the network."""

    def __init__(self, base_url: str = WEATHER_API) -> None:
        self.base_url = base_url

    def current(self, city: str, units: str) -> dict | None:
        """{"temp": float, "description": str} for `city`, or None when the API doesn't know it."""
        response = httpx.get(
            f"{self.base_url}/current", params={"city": city, "units": units}, timeout=5
        )
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()


def get_weather_client() -> WeatherClient:
    return WeatherClient()


app = FastAPI(title="Weather")


@app.get("/weather/{city}")
def read_weather(
    city: str,
    client: Annotated[WeatherClient, Depends(get_weather_client)],
    units: Literal["metric", "imperial"] = "metric",
) -> dict:
    data = client.current(city, units)
    if data is None:
        raise HTTPException(status_code=404, detail=f"Unknown city: {city}")
    return {
        "city": city,
        "temperature": data["temp"],
        "units": units,
        "summary": data["description"],
    }
