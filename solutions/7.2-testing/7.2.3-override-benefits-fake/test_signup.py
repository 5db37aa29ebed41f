"""The sign-up, tested with the fake email sender."""


def sign_up(client, email, name="Ada"):
    return client.post("/signup", json={"email": email, "name": name})


def test_sign_up_sends_one_welcome_email(fake_email_client):
    client, fake = fake_email_client
    response = sign_up(client, "ada@example.com")
    assert response.status_code == 201
    assert len(fake.sent) == 1
    assert fake.sent[0]["to"] == "ada@example.com"
    assert fake.sent[0]["subject"] == "Welcome to Shop"


def test_failed_email_is_503_and_creates_no_user(fake_email_client):
    client, fake = fake_email_client
    fake.fail = True
    assert sign_up(client, "bob@example.com").status_code == 503
    assert client.get("/users/bob@example.com").status_code == 404


def test_second_sign_up_is_409_without_email(fake_email_client):
    client, fake = fake_email_client
    assert sign_up(client, "cy@example.com").status_code == 201
    assert sign_up(client, "cy@example.com").status_code == 409
    assert len(fake.sent) == 1
