import pytest


@pytest.fixture
def fake_email_client():
    # TODO: a FakeEmailSender installed with app.dependency_overrides[get_email_sender];
    # return (TestClient(app), fake) and remove the override after the test.
    raise NotImplementedError
