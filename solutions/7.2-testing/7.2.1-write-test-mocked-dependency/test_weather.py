"""Tests of GET /weather/{city}, with the weather client replaced by a fake."""

import pytest
from app import app, get_weather_client
from fastapi.testclient import TestClient


class FakeWeatherClient:
    """Answers from a dict instead of the network, and records every call."""

    def __init__(self, known: dict[str, dict]) -> None:
        self.known = known
        self.calls: list[tuple[str, str]] = []

    def current(self, city: str, units: str) -> dict | None:
        self.calls.append((city, units))
        return self.known.get(city)


@pytest.fixture
def fake():
    return FakeWeatherClient({"Paris": {"temp": 21.5, "description": "sunny"}})


@pytest.fixture
def client(fake):
    app.dependency_overrides[get_weather_client] = lambda: fake
    try:
        yield TestClient(app)
    finally:
        app.dependency_overrides.clear()


def test_known_city_answers_the_fake_data(client, fake):
    response = client.get("/weather/Paris")
    assert response.status_code == 200
    assert response.json() == {
        "city": "Paris",
        "temperature": 21.5,
        "units": "metric",
        "summary": "sunny",
    }
    assert fake.calls == [("Paris", "metric")]


def test_unknown_city_is_404(client, fake):
    response = client.get("/weather/Atlantis")
    assert response.status_code == 404
    assert fake.calls == [("Atlantis", "metric")]


def test_units_are_passed_to_the_client_and_echoed(client, fake):
    response = client.get("/weather/Paris", params={"units": "imperial"})
    assert response.status_code == 200
    assert response.json()["units"] == "imperial"
    assert fake.calls == [("Paris", "imperial")]
