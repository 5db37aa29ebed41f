from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

WEATHER_URL = "https://api.weather.example"

app = FastAPI()


async def get_http_client() -> AsyncIterator[httpx.AsyncClient]:
    # TODO: Task 1 - yield an httpx.AsyncClient(base_url=WEATHER_URL, timeout=5)
    #       and close it once the request is done.
    raise NotImplementedError("get_http_client")
    yield  # unreachable; the yield makes this function an async generator


# TODO: Task 2 - GET /weather/{city}: an async handler that gets the client from
#       get_http_client (Depends), calls GET /v1/current?city=<city> upstream and
#       returns {"city": ..., "temp_c": ..., "source": "upstream"}.


# TODO: Task 3 - map upstream failures: 404 -> 404, 5xx / bad body -> 502, timeout -> 504.
