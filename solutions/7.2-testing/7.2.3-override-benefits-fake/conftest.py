import pytest
from fakes import FakeEmailSender
from fastapi.testclient import TestClient
from main import app, get_email_sender


@pytest.fixture
def fake_email_client():
    fake = FakeEmailSender()
    app.dependency_overrides[get_email_sender] = lambda: fake
    try:
        yield TestClient(app), fake
    finally:
        app.dependency_overrides.pop(get_email_sender, None)
