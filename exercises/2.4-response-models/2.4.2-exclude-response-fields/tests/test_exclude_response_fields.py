from datetime import UTC, datetime

import pytest

from grader.testing import client_for

FULL_KEYS = {"id", "username", "email", "last_login"}
ADA_LOGIN = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
SECRETS = ("password_hash", "is_admin", "argon2", "ada-hash", "grace-hash")


@pytest.fixture(scope="module")
def reader(learner):
    """One app for the read-only tests (Tasks 1 and 2): they never change a user."""
    client = client_for(learner.require("main", "app", fresh=True).app)
    yield client
    client.close()


@pytest.fixture
def client(learner, app_client):
    """A freshly imported app per PATCH test: each starts from the seed data."""
    return app_client(learner.require("main", "app", fresh=True).app)


def get_json(reader, path, expected=200):
    response = reader.get(path)
    assert response.status_code == expected, (
        f"GET {path} answered {response.status_code}, not {expected}: {response.text[:200]}"
    )
    body = response.json()
    if expected == 200:
        assert isinstance(body, dict), f"GET {path} answered {body!r}, not a JSON object"
    return body


def patch(client, path, payload):
    return client.patch(path, json=payload)


def assert_no_secrets(response, what):
    for secret in SECRETS:
        assert secret not in response.text, f"{what} contains {secret!r}: {response.text[:300]}"


def as_datetime(value, what):
    assert isinstance(value, str), f"{what} is {value!r}, not an ISO 8601 string"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise AssertionError(f"{what} is {value!r}, not an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- Task 1 -------------------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("user_id", [1, 2])
def test_full_view_has_exactly_the_public_fields(reader, user_id):
    body = get_json(reader, f"/users/{user_id}")
    assert set(body) == FULL_KEYS, (
        f"GET /users/{user_id} answered the keys {sorted(body)}, expected {sorted(FULL_KEYS)}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("user_id", [1, 2])
@pytest.mark.hint("password_hash and is_admin must not appear, not even under another name.")
def test_full_view_never_leaks_secrets(reader, user_id):
    response = reader.get(f"/users/{user_id}")
    assert response.status_code == 200, f"GET /users/{user_id} answered {response.status_code}"
    assert_no_secrets(response, f"GET /users/{user_id}")


@pytest.mark.task(1)
def test_full_view_values(reader):
    ada = get_json(reader, "/users/1")
    expected = {"id": 1, "username": "ada", "email": "ada@example.com"}
    assert {k: ada.get(k) for k in expected} == expected, f"GET /users/1 answered {ada}"
    assert as_datetime(ada.get("last_login"), "ada's last_login") == ADA_LOGIN, (
        f"ada's last_login is {ada.get('last_login')!r}, expected 2025-03-01T09:30:00Z"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The full view keeps null values: do not use response_model_exclude_none on this route."
)
def test_full_view_shows_null_last_login(reader):
    grace = get_json(reader, "/users/2")
    assert "last_login" in grace, f"GET /users/2 has no last_login key: {grace}"
    assert grace["last_login"] is None, f"grace's last_login is {grace['last_login']!r}, not null"


@pytest.mark.task(1)
def test_full_view_unknown_user_is_404(reader):
    get_json(reader, "/users/1")  # the route exists ...
    get_json(reader, "/users/999", expected=404)  # ... and knows which users do


# --- Task 2 -------------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("user_id", [1, 2])
def test_public_view_is_id_and_username_only(reader, user_id):
    body = get_json(reader, f"/users/{user_id}/public")
    assert set(body) == {"id", "username"}, (
        f"GET /users/{user_id}/public answered the keys {sorted(body)}, expected ['id', 'username']"
    )
    assert body["id"] == user_id, f"GET /users/{user_id}/public answered id {body['id']!r}"
    assert body["username"] == ("ada", "grace")[user_id - 1], (
        f"GET /users/{user_id}/public answered username {body['username']!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compact is the full view minus null values: response_model_exclude_none=True on this route."
)
def test_compact_view_drops_null_last_login(reader):
    grace = get_json(reader, "/users/2/compact")
    assert set(grace) == {"id", "username", "email"}, (
        f"GET /users/2/compact answered the keys {sorted(grace)}, "
        "expected ['email', 'id', 'username'] (grace's last_login is null)"
    )
    assert grace["email"] == "grace@example.com", f"GET /users/2/compact answered {grace}"


@pytest.mark.task(2)
@pytest.mark.hint("Only null values are dropped: ada's last_login is set, so it stays.")
def test_compact_view_keeps_set_values(reader):
    ada = get_json(reader, "/users/1/compact")
    assert set(ada) == FULL_KEYS, (
        f"GET /users/1/compact answered the keys {sorted(ada)}, expected {sorted(FULL_KEYS)}"
    )
    assert as_datetime(ada["last_login"], "ada's compact last_login") == ADA_LOGIN


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("path", ["/users/1/public", "/users/1/compact", "/users/2/compact"])
def test_slim_views_never_leak_secrets(reader, path):
    response = reader.get(path)
    assert response.status_code == 200, f"GET {path} answered {response.status_code}"
    assert_no_secrets(response, f"GET {path}")


@pytest.mark.task(2)
@pytest.mark.parametrize("view", ["public", "compact"])
def test_slim_views_unknown_user_is_404(reader, view):
    get_json(reader, f"/users/1/{view}")
    get_json(reader, f"/users/999/{view}", expected=404)


# --- Task 3 -------------------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Apply patch.model_dump(exclude_unset=True): a plain model_dump() also carries "
    "username=None for the field the client left out."
)
def test_patch_email_only_keeps_username(client):
    response = patch(client, "/users/1", {"email": "countess@example.com"})
    assert response.status_code == 200, (
        f"PATCH /users/1 with only an email answered {response.status_code}: {response.text[:200]}"
    )
    after = get_json(client, "/users/1")
    assert after.get("username") == "ada", (
        f"after PATCHing only the email, the username is {after.get('username')!r}, not 'ada'"
    )
    assert after.get("email") == "countess@example.com", (
        f"after PATCHing the email, GET /users/1 shows email {after.get('email')!r}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_patch_username_only_keeps_email(client):
    response = patch(client, "/users/2", {"username": "amazing-grace"})
    assert response.status_code == 200, (
        f"PATCH /users/2 with only a username answered {response.status_code}: "
        f"{response.text[:200]}"
    )
    after = get_json(client, "/users/2")
    assert (after.get("username"), after.get("email")) == ("amazing-grace", "grace@example.com"), (
        f"after PATCHing only the username, GET /users/2 answered {after}"
    )
    assert "last_login" in after and after["last_login"] is None, (
        f"after a PATCH, grace's last_login should still be null: {after}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "PATCH answers the updated user through the full view's response model, with the full "
    "view's keys: grace's last_login is there as null (no response_model_exclude_none)."
)
def test_patch_answers_the_updated_full_view(client):
    response = patch(client, "/users/1", {"username": "lovelace"})
    assert response.status_code == 200, f"PATCH /users/1 answered {response.status_code}"
    assert_no_secrets(response, "the answer to PATCH /users/1")
    body = response.json()
    assert isinstance(body, dict) and set(body) == FULL_KEYS, (
        f"PATCH /users/1 answered {body!r}, expected an object with the keys {sorted(FULL_KEYS)}"
    )
    assert (body["id"], body["username"], body["email"]) == (1, "lovelace", "ada@example.com"), (
        f"PATCH /users/1 answered {body}"
    )
    response = patch(client, "/users/2", {"username": "amazing-grace"})
    assert response.status_code == 200, f"PATCH /users/2 answered {response.status_code}"
    body = response.json()
    assert isinstance(body, dict) and set(body) == FULL_KEYS, (
        f"PATCH /users/2 (grace, never logged in) answered {body!r}, expected the full view's "
        f"keys {sorted(FULL_KEYS)}, last_login as null"
    )
    assert body["last_login"] is None, f"PATCH /users/2 answered {body}"


@pytest.mark.task(3)
def test_empty_patch_changes_nothing(client):
    before = get_json(client, "/users/1")
    response = patch(client, "/users/1", {})
    assert response.status_code == 200, f"PATCH /users/1 with {{}} answered {response.status_code}"
    after = get_json(client, "/users/1")
    assert after == before, f"PATCH /users/1 with {{}} changed the user from {before} to {after}"


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "payload",
    [{"username": None}, {"email": None}, {"email": "not-an-email"}],
    ids=["null-username", "null-email", "bad-email"],
)
@pytest.mark.hint(
    "exclude_unset keeps fields the client sent, including an explicit null: reject null with "
    "a field_validator (it does not run for defaults), and keep email an EmailStr."
)
def test_patch_invalid_values_are_422(client, payload):
    response = patch(client, "/users/2", payload)
    assert response.status_code == 422, (
        f"PATCH /users/2 with {payload} answered {response.status_code}, not 422"
    )
    after = get_json(client, "/users/2")
    assert (after.get("username"), after.get("email")) == ("grace", "grace@example.com"), (
        f"a rejected PATCH changed the user: GET /users/2 answered {after}"
    )


@pytest.mark.task(3)
def test_patch_unknown_user_is_404(client):
    known = patch(client, "/users/1", {"username": "ada"})
    assert known.status_code == 200, f"PATCH /users/1 answered {known.status_code}"
    response = patch(client, "/users/999", {"username": "nobody"})
    assert response.status_code == 404, f"PATCH /users/999 answered {response.status_code}"
