"""Probe tests the grader runs with the learner's fakes.py and conftest.py (copied in as
test_probes.py). Each assertion message is shown to the learner."""

import main
import pytest
from fakes import FakeEmailSender

REAL_SENDS = []


@pytest.fixture
def watch_real_sender(monkeypatch):
    def spy(self, to, subject, body):
        REAL_SENDS.append(to)
        raise main.EmailDeliveryError("the real sender was used")

    monkeypatch.setattr(main.SmtpEmailSender, "send", spy)


def test_1_a_new_fake_records_what_it_sends():
    fake = FakeEmailSender()
    assert list(fake.sent) == [] and fake.fail is False, (
        f"a new FakeEmailSender had sent={fake.sent!r}, fail={fake.fail!r}"
    )
    fake.send(to="ann@example.com", subject="Hello", body="Hi Ann")
    assert fake.sent == [{"to": "ann@example.com", "subject": "Hello", "body": "Hi Ann"}], (
        f"after send(to='ann@example.com', subject='Hello', body='Hi Ann'), sent was {fake.sent}"
    )


def test_2_a_failing_fake_raises_and_records_nothing():
    fake = FakeEmailSender()
    fake.fail = True
    with pytest.raises(main.EmailDeliveryError):
        fake.send(to="ann@example.com", subject="Hello", body="Hi Ann")
    assert fake.sent == [], f"a failing send still recorded {fake.sent}"


def test_3_a_sign_up_reaches_the_fake(watch_real_sender, fake_email_client):
    client, fake = fake_email_client
    response = client.post("/signup", json={"email": "probe1@example.com", "name": "Pro"})
    assert response.status_code == 201, (
        f"POST /signup through fake_email_client answered {response.status_code}"
    )
    assert [(m["to"], m["subject"]) for m in fake.sent] == [
        ("probe1@example.com", "Welcome to Shop")
    ], f"after one sign-up the fake had recorded {fake.sent}"
    assert REAL_SENDS == [], "the real SmtpEmailSender.send was called"


def test_4_the_fake_can_fail_the_request(watch_real_sender, fake_email_client):
    client, fake = fake_email_client
    fake.fail = True
    response = client.post("/signup", json={"email": "probe2@example.com", "name": "Pro"})
    assert response.status_code == 503, (
        f"with fake.fail = True, POST /signup answered {response.status_code}"
    )
    assert client.get("/users/probe2@example.com").status_code == 404
    assert REAL_SENDS == [], "the real SmtpEmailSender.send was called"


def test_5_each_test_gets_a_new_fake(fake_email_client):
    client, fake = fake_email_client
    assert fake.sent == [] and fake.fail is False, (
        f"the next test's fake started with sent={fake.sent!r}, fail={fake.fail!r}"
    )


def test_6_the_override_is_gone_after_the_test():
    left = list(main.app.dependency_overrides)
    assert left == [], f"in a later test, app.dependency_overrides still held {left}"
