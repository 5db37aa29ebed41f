import app as weather_app
import pytest
from fastapi.testclient import TestClient


class RecordingClient:
    def __init__(self):
        self.asked = []

    def current(self, city, units):
        self.asked.append({"city": city, "units": units})
        if city != "Oslo":
            return None
        return {"temp": -3.0 if units == "metric" else 26.6, "description": "snow"}


@pytest.fixture
def fake(monkeypatch):
    client = RecordingClient()
    monkeypatch.setitem(
        weather_app.app.dependency_overrides, weather_app.get_weather_client, lambda: client
    )
    return client


@pytest.fixture
def http():
    with TestClient(weather_app.app) as c:
        yield c


@pytest.mark.parametrize(
    "query, units, temperature",
    [
        ({}, "metric", -3.0),
        ({"units": "metric"}, "metric", -3.0),
        ({"units": "imperial"}, "imperial", 26.6),
    ],
)
def test_oslo(fake, http, query, units, temperature):
    r = http.get("/weather/Oslo", params=query)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "city": "Oslo",
        "temperature": temperature,
        "units": units,
        "summary": "snow",
    }
    assert fake.asked == [{"city": "Oslo", "units": units}]


def test_unknown(fake, http):
    r = http.get("/weather/Nowhere")
    assert r.status_code == 404
    assert len(fake.asked) == 1
