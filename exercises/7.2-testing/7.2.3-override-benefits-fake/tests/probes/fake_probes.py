"""Probe tests the grader runs with the learner's fakes.py and conftest.py (copied in as
test_probes.py). Each assertion message is shown to the learner.

Each probe looks only at what it is about: a fake's emails are compared with what the fake held
when the probe began, so that a list shared by all fakes is reported by the probe about new
fakes starting empty, and by no other."""

import main
import pytest
from fakes import FakeEmailSender

REAL_SENDS = []
FIXTURE_FAKES = []  # the fakes fake_email_client handed to the earlier probes


@pytest.fixture
def watch_real_sender(monkeypatch):
    def spy(self, to, subject, body):
        REAL_SENDS.append(to)
        raise main.EmailDeliveryError("the real sender was used")

    monkeypatch.setattr(main.SmtpEmailSender, "send", spy)


def test_1_a_fake_records_what_it_sends():
    fake = FakeEmailSender()
    assert fake.fail is False, f"a new FakeEmailSender had fail={fake.fail!r}"
    before = list(fake.sent)
    fake.send(to="ann@example.com", subject="Hello", body="Hi Ann")
    added = fake.sent[len(before) :]
    assert added == [{"to": "ann@example.com", "subject": "Hello", "body": "Hi Ann"}], (
        f"send(to='ann@example.com', subject='Hello', body='Hi Ann') added {added} to sent"
    )


def test_2_a_new_fake_starts_empty():
    first = FakeEmailSender()
    first.send(to="bob@example.com", subject="Hello", body="Hi Bob")
    second = FakeEmailSender()
    held = list(second.sent)
    assert held == [], (
        "the fakes share one list: a new FakeEmailSender, made after another one had sent an "
        f"email, started with {len(held)} email(s) in sent"
    )


def test_3_a_failing_fake_raises_and_records_nothing():
    fake = FakeEmailSender()
    fake.fail = True
    before = list(fake.sent)
    with pytest.raises(main.EmailDeliveryError):
        fake.send(to="ann@example.com", subject="Hello", body="Hi Ann")
    added = fake.sent[len(before) :]
    assert added == [], f"a failing send still added {added} to sent"


def test_4_a_sign_up_reaches_the_fake(watch_real_sender, fake_email_client):
    client, fake = fake_email_client
    FIXTURE_FAKES.append(fake)
    before = list(fake.sent)
    response = client.post("/signup", json={"email": "probe1@example.com", "name": "Pro"})
    assert response.status_code == 201, (
        f"POST /signup through fake_email_client answered {response.status_code}"
    )
    added = [(m["to"], m["subject"]) for m in fake.sent[len(before) :]]
    assert added == [("probe1@example.com", "Welcome to Shop")], (
        f"after one sign-up the fake had recorded {added} (to, subject)"
    )
    assert REAL_SENDS == [], "the real SmtpEmailSender.send was called"


def test_5_the_fake_can_fail_the_request(watch_real_sender, fake_email_client):
    client, fake = fake_email_client
    FIXTURE_FAKES.append(fake)
    fake.fail = True
    response = client.post("/signup", json={"email": "probe2@example.com", "name": "Pro"})
    assert response.status_code == 503, (
        f"with fake.fail = True, POST /signup answered {response.status_code}"
    )
    assert client.get("/users/probe2@example.com").status_code == 404
    assert REAL_SENDS == [], "the real SmtpEmailSender.send was called"


def test_6_each_test_gets_a_new_fake(fake_email_client):
    client, fake = fake_email_client
    assert not any(fake is earlier for earlier in FIXTURE_FAKES), (
        "fake_email_client gave two tests the same fake"
    )
    assert fake.fail is False, f"the next test's fake started with fail={fake.fail!r}"


def test_7_the_override_is_gone_after_the_test():
    left = list(main.app.dependency_overrides)
    assert left == [], f"in a later test, app.dependency_overrides still held {left}"
