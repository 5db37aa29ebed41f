import main
import pytest
from fakes import FakeEmailSender
from fastapi.testclient import TestClient


@pytest.fixture
def fake_email_client(monkeypatch):
    fake = FakeEmailSender()
    monkeypatch.setitem(main.app.dependency_overrides, main.get_email_sender, lambda: fake)
    with TestClient(main.app) as client:
        yield client, fake
