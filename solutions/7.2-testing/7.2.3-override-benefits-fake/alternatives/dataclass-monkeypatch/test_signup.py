import itertools

import pytest

counter = itertools.count()


@pytest.fixture
def email():
    return f"user{next(counter)}@example.com"


class TestSignup:
    def test_welcome(self, fake_email_client, email):
        client, fake = fake_email_client
        r = client.post("/signup", json={"email": email, "name": "Zed"})
        assert r.status_code == 201
        assert [(m["to"], m["subject"]) for m in fake.sent] == [(email, "Welcome to Shop")]

    @pytest.mark.parametrize("check", ["status", "user"])
    def test_mail_down(self, fake_email_client, email, check):
        client, fake = fake_email_client
        fake.fail = True
        r = client.post("/signup", json={"email": email, "name": "Zed"})
        if check == "status":
            assert r.status_code == 503
        else:
            assert client.get(f"/users/{email}").status_code == 404

    def test_duplicate(self, fake_email_client, email):
        client, fake = fake_email_client
        client.post("/signup", json={"email": email, "name": "Zed"})
        fake.sent.clear()
        r = client.post("/signup", json={"email": email, "name": "Zed"})
        assert (r.status_code, fake.sent) == (409, [])
