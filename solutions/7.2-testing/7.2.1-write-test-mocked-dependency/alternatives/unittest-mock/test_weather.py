from unittest.mock import Mock

import pytest
from app import app, get_weather_client
from fastapi.testclient import TestClient


@pytest.fixture
def weather():
    fake = Mock()
    fake.current.side_effect = lambda city, units: (
        {"temp": 10.0, "description": "rain"} if city == "London" else None
    )
    app.dependency_overrides[get_weather_client] = lambda: fake
    yield fake
    del app.dependency_overrides[get_weather_client]


@pytest.fixture
def client():
    with TestClient(app) as c:
        yield c


def test_london(client, weather):
    r = client.get("/weather/London")
    assert r.json() == {"city": "London", "temperature": 10.0, "units": "metric", "summary": "rain"}
    weather.current.assert_called_once_with("London", "metric")


def test_london_imperial(client, weather):
    client.get("/weather/London?units=imperial")
    weather.current.assert_called_once_with("London", "imperial")


def test_nowhere(client, weather):
    assert client.get("/weather/Nowhere").status_code == 404
