"""Hidden tests for 5.5.1: GET /data behind an X-API-Key header, compared in constant time.

The keys come from the learner's own VALID_KEYS (the starter's values); tests that add or remove
a key do it on that dict with monkeypatch, which puts it back afterwards. compare_digest is
watched in `secrets`, `hmac` and under any name main.py bound it to."""

import hmac
import secrets

import pytest

DETAIL = "Invalid or missing API key"


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "VALID_KEYS", "ITEMS")


@pytest.fixture
def client(main, app_client):
    return app_client(main.app)


@pytest.fixture
def a_key(main):
    """(app name, key) of the first client of VALID_KEYS."""
    assert main.VALID_KEYS, "VALID_KEYS is empty: keep the starter's two keys"
    name, key = next(iter(main.VALID_KEYS.items()))
    return name, key


@pytest.fixture
def digest_calls(main, monkeypatch):
    """Every call of compare_digest made while the test runs, whatever name it is called by."""
    original = hmac.compare_digest
    calls = []

    def watched(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", watched)
    monkeypatch.setattr(secrets, "compare_digest", watched)
    for name, value in list(vars(main).items()):
        if value is original or value is secrets.compare_digest:
            monkeypatch.setattr(main, name, watched)
    return calls


def get_data(client, key=None, header="X-API-Key", **options):
    headers = dict(options.pop("headers", {}))
    if key is not None:
        headers[header] = key
    return client.get("/data", headers=headers, **options)


def short(text, size=200):
    return text if len(text) <= size else text[:size] + "..."


def assert_refused(response, what):
    assert response.status_code == 401, (
        f"GET /data {what} answered {response.status_code}, not 401: {short(response.text)}"
    )


def key_schemes(main):
    schemes = main.app.openapi().get("components", {}).get("securitySchemes", {})
    return {
        name: scheme
        for name, scheme in schemes.items()
        if scheme.get("type") == "apiKey"
        and scheme.get("in") == "header"
        and str(scheme.get("name", "")).lower() == "x-api-key"
    }


# --- Task 1: the scheme -------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    'Read the key with `APIKeyHeader(name="X-API-Key", auto_error=False)` used as a '
    "dependency (`Security(api_key_header)` or `Depends(...)`): that is what declares the "
    "scheme. `Header(alias=...)` reads the header but declares no security scheme."
)
def test_openapi_declares_an_api_key_header_scheme(main):
    schemes = main.app.openapi().get("components", {}).get("securitySchemes", {})
    assert key_schemes(main), (
        "the OpenAPI schema declares no apiKey scheme in the header X-API-Key; its "
        f"securitySchemes are {schemes!r}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "The scheme must be a dependency of GET /data itself (or of a dependency it uses), so "
    "that FastAPI lists it in the operation's `security`."
)
def test_get_data_lists_the_scheme_in_its_security(main):
    operation = main.app.openapi().get("paths", {}).get("/data", {}).get("get", {})
    listed = [name for entry in operation.get("security", []) for name in entry]
    assert set(listed) & set(key_schemes(main)), (
        f"the OpenAPI operation GET /data lists the security schemes {listed!r}, not the "
        "apiKey scheme of the header X-API-Key"
    )


# --- Task 2: who gets in ------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.parametrize("index", [0, 1])
def test_each_valid_key_answers_its_client(main, client, index):
    name, key = list(main.VALID_KEYS.items())[index]
    response = get_data(client, key)
    assert response.status_code == 200, (
        f"GET /data with the key of {name!r} answered {response.status_code}: "
        f"{short(response.text)}"
    )
    assert response.json() == {"client": name, "items": main.ITEMS}, (
        f"GET /data with the key of {name!r} answered {short(response.text)}, expected "
        f"{{'client': {name!r}, 'items': ITEMS}}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Header names are case-insensitive; APIKeyHeader handles that for you.")
def test_lowercase_header_name_works(client, a_key):
    name, key = a_key
    response = get_data(client, key, header="x-api-key")
    assert response.status_code == 200 and response.json().get("client") == name, (
        f"GET /data with the header x-api-key (lowercase) answered {response.status_code}: "
        f"{short(response.text)}"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("sent", [None, ""], ids=["no-header", "empty-header"])
@pytest.mark.hint(
    "With `auto_error=False`, APIKeyHeader gives `None` for a missing or empty header; raise "
    'the same `HTTPException(401, "Invalid or missing API key", headers={"WWW-Authenticate": '
    '"APIKey"})` as for a wrong key. With auto_error=True, FastAPI answers "Not authenticated" '
    "itself."
)
def test_missing_key_is_401_with_www_authenticate(client, sent):
    what = "without X-API-Key" if sent is None else "with an empty X-API-Key"
    response = get_data(client, sent)
    assert_refused(response, what)
    assert response.json() == {"detail": DETAIL}, (
        f"GET /data {what} answered {short(response.text)}, expected {{'detail': {DETAIL!r}}}"
    )
    assert response.headers.get("www-authenticate") == "APIKey", (
        f"GET /data {what} answered the WWW-Authenticate header "
        f"{response.headers.get('www-authenticate')!r}, not 'APIKey'"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "A wrong key gets exactly the answer of a missing one: 401, "
    '`{"detail": "Invalid or missing API key"}` and `WWW-Authenticate: APIKey`.'
)
def test_wrong_key_gets_the_same_answer_as_a_missing_one(client):
    response = get_data(client, "ak_live_" + "0" * 32)
    assert_refused(response, "with a wrong key")
    assert response.json() == {"detail": DETAIL}, (
        f"GET /data with a wrong key answered {short(response.text)}, expected "
        f"{{'detail': {DETAIL!r}}}"
    )
    assert response.headers.get("www-authenticate") == "APIKey", (
        "GET /data with a wrong key answered the WWW-Authenticate header "
        f"{response.headers.get('www-authenticate')!r}, not 'APIKey'"
    )


@pytest.mark.task(2)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Only an exact, whole key opens /data: compare the sent value with each value of "
    "VALID_KEYS (the keys, not the app names), completely and with the same letter case. "
    "Encode the header without dropping anything: `.encode()`, not `errors=\"ignore\"`."
)
def test_anything_but_an_exact_key_is_refused(main, client, a_key):
    name, key = a_key
    attempts = {
        "an unknown key": "ak_live_" + "0" * 32,
        "the key without its last character": key[:-1],
        "the key's first 8 characters": key[:8],
        "the key with a character added": key + "0",
        "the key in upper case": key.upper(),
        "the app's name": name,
        # Raw header bytes: a non-ASCII character added is a character added, not junk to drop.
        "the key with é added at its end": (key + "é").encode(),
        "the key with é added at its start": ("é" + key).encode(),
        "the key with the byte \\xff inserted": key[:4].encode() + b"\xff" + key[4:].encode(),
    }
    let_in = []
    for what, value in attempts.items():
        if value in main.VALID_KEYS.values():
            continue
        response = get_data(client, value)
        if response.status_code != 401:
            let_in.append(f"{what} ({value!r}) answered {response.status_code}")
    assert not let_in, "GET /data did not refuse " + "; ".join(let_in)


@pytest.mark.task(2)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Read the key from the X-API-Key header and nowhere else: no APIKeyQuery fallback, no "
    "Authorization header, no cookie. A key in a URL has leaked already."
)
def test_a_key_outside_the_header_is_refused(client, a_key):
    _, key = a_key
    attempts = {
        "with ?api_key=<a valid key>": {"params": {"api_key": key}},
        "with Authorization: Bearer <a valid key>": {"headers": {"Authorization": f"Bearer {key}"}},
        "with the cookie api_key=<a valid key>": {"cookies": {"api_key": key}},
    }
    let_in = []
    for what, options in attempts.items():
        client.cookies.clear()
        response = get_data(client, **options)
        if response.status_code != 401:
            let_in.append(f"{what} answered {response.status_code}")
    client.cookies.clear()
    assert not let_in, "GET /data without X-API-Key did not refuse: " + "; ".join(let_in)


@pytest.mark.task(2)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Read VALID_KEYS inside the dependency, at each request; a set or dict built from it when "
    "the module loads keeps a revoked key alive."
)
def test_revoked_key_fails_at_once(main, client, monkeypatch):
    name, key = list(main.VALID_KEYS.items())[1]
    before = get_data(client, key)
    assert before.status_code == 200, (
        f"GET /data with the key of {name!r} answered {before.status_code} before it was revoked"
    )
    monkeypatch.delitem(main.VALID_KEYS, name)
    after = get_data(client, key)
    assert_refused(after, f"with the key of {name!r}, just removed from VALID_KEYS,")


@pytest.mark.task(2)
@pytest.mark.hint("Read VALID_KEYS at each request, not once when the module loads.")
def test_key_added_to_valid_keys_works_at_once(main, client, monkeypatch):
    key = "ak_live_" + secrets.token_hex(16)
    first = get_data(client, key)
    assert_refused(first, "with a key that is not in VALID_KEYS yet")
    monkeypatch.setitem(main.VALID_KEYS, "new-app", key)
    response = get_data(client, key)
    assert response.status_code == 200 and response.json().get("client") == "new-app", (
        f"GET /data with a key just added to VALID_KEYS for 'new-app' answered "
        f"{response.status_code}: {short(response.text)}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "`secrets.compare_digest` raises TypeError for a `str` that is not ASCII: compare bytes, "
    "`compare_digest(sent.encode(), key.encode())`."
)
def test_non_ascii_key_is_401_not_500(client):
    response = get_data(client, "clé".encode())
    assert_refused(response, "with the non-ASCII header X-API-Key: clé")


# --- Task 3: constant time ----------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Loop over VALID_KEYS and test each key with `secrets.compare_digest(sent.encode(), "
    "key.encode())`; `key in VALID_KEYS.values()` or `==` stops at the first differing "
    "character, and a check like that before compare_digest skips it for wrong keys."
)
def test_every_key_check_goes_through_compare_digest(client, a_key, digest_calls):
    _, key = a_key
    wrong = key[:-1] + ("0" if key[-1] != "0" else "1")
    for what, value, expected in [
        ("a wrong key of the right length", wrong, 401),
        ("an unknown key", "ak_test_" + "f" * 24, 401),
        ("a valid key", key, 200),
    ]:
        digest_calls.clear()
        response = get_data(client, value)
        assert response.status_code == expected, (
            f"GET /data with {what} answered {response.status_code}: {short(response.text)}"
        )
        assert digest_calls, (
            f"GET /data with {what} answered {response.status_code} without calling "
            "compare_digest: the key was compared some other way"
        )
