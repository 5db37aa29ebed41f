"""The sign-up, tested with the fake email sender (see Task 3)."""


def test_sign_up(fake_email_client):
    client, fake = fake_email_client
    # TODO: POST /signup, then check the answer and what `fake.sent` recorded
