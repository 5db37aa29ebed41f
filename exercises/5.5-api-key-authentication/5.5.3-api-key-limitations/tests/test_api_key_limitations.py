"""Hidden tests for 5.5.3: keys only in the X-API-Key header (400 for a key in the URL), read and
write scopes, whoami without a user, and a logging filter that masks every key as ak_***.

Each test registers its own clients in the learner's API_KEYS (by SHA-256 digest, through
monkeypatch, which removes them afterwards) with fresh random keys. Logs are read from caplog;
the test client's own loggers (httpx, httpx2, httpcore) are left out: they are not the app's."""

import hashlib
import logging
import secrets

import pytest

URL_DETAIL = "Send the API key in the X-API-Key header, not in the URL"
AUTH_DETAIL = "Invalid or missing API key"
CLIENT_LOGGERS = ("httpx", "httpcore")
SCOPES = {"reader": ["read"], "writer": ["write"], "both": ["read", "write"], "none": []}


def new_key():
    """ak_<12 hex>.<43 base64url characters>, with a "-" and a "_" in the secret, as
    token_urlsafe often gives."""
    secret = f"{secrets.token_urlsafe(16)}-{secrets.token_urlsafe(8)}_{secrets.token_urlsafe(6)}"
    return f"ak_{secrets.token_hex(6)}.{secret}"


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "API_KEYS", "hash_key", "REPORTS")


@pytest.fixture
def utils(learner):
    return learner.require("logging_utils", "RedactSecretsFilter")


@pytest.fixture
def keys(main, monkeypatch):
    """A fresh key per client kind, registered in API_KEYS for this test only."""
    made = {}
    for kind, scopes in SCOPES.items():
        key = new_key()
        monkeypatch.setitem(main.API_KEYS, digest(key), {"client": f"{kind}-app", "scopes": scopes})
        made[kind] = key
    return made


@pytest.fixture
def client(main, app_client):
    return app_client(main.app)


def call(client, method, path, key=None, params=None, headers=None):
    sent = dict(headers or {})
    if key is not None:
        sent["X-API-Key"] = key
    json = {"title": "Q3 sales"} if method == "POST" else None
    return client.request(method, path, params=params, headers=sent, json=json)


def described(method, path, key_kind, params=None):
    query = "&".join(f"{k}=..." for k in (params or {}))
    where = f"{path}?{query}" if query else path
    header = f"the {key_kind} key in X-API-Key" if key_kind else "no X-API-Key"
    return f"{method} {where} with {header}"


def short(text, size=200):
    return text if len(text) <= size else text[:size] + "..."


def shows_part_of_secret(text, key, size=10):
    """Whether text holds any 10 characters in a row of the key's secret: a mask that stops at a
    `-` or `_` leaves the rest of the secret in the log."""
    secret = key.split(".", 1)[1]
    return any(secret[i : i + size] in text for i in range(len(secret) - size + 1))


def app_records(caplog):
    return [r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS)]


def make_record(msg, args=None):
    return logging.LogRecord("api", logging.INFO, __file__, 1, msg, args, None)


def filtered(utils, msg, args=None):
    record = make_record(msg, args)
    kept = utils.RedactSecretsFilter().filter(record)
    return kept, record


# --- Task 1: the header only --------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Check the query string before anything else, for every route: an app-level dependency "
    "(`FastAPI(dependencies=[Depends(refuse_keys_in_url)])`) or a middleware, looking at every "
    "name (lower-cased) and every value of `request.query_params.multi_items()`, which are "
    "percent-decoded: the raw query string hides `ak%5F...` from a check for `ak_`, and "
    "`.items()` sees only the last value of a repeated parameter."
)
def test_a_key_in_the_url_is_refused_with_400(client, keys):
    attempts = [
        ("GET", "/reports", None, {"api_key": keys["reader"]}),
        ("GET", "/reports", "reader", {"api_key": keys["reader"]}),
        ("GET", "/whoami", "both", {"APIKEY": keys["both"]}),
        ("POST", "/reports", "writer", {"api_key": keys["writer"]}),
        ("GET", "/reports", "reader", {"token": keys["reader"]}),
    ]
    wrong = []
    for method, path, kind, params in attempts:
        response = call(client, method, path, keys.get(kind), params)
        if response.status_code != 400:
            wrong.append(f"{described(method, path, kind, params)} answered {response.status_code}")
    # As sent: the app reads query parameters percent-decoded, and so must the check.
    rest = keys["reader"][3:]
    escaped = [
        ("GET", f"/reports?x=ak%5F{rest}", "reader", "/reports?x=ak%5F<rest of the key>"),
        ("GET", f"/reports?x=%61k_{rest}", "reader", "/reports?x=%61k_<rest of the key>"),
        ("POST", "/reports?api%5Fkey=anything", "writer", "/reports?api%5Fkey=anything"),
        # A repeated parameter: every value counts, not only the last one.
        ("GET", f"/reports?x={keys['reader']}&x=1", "reader", "/reports?x=<key>&x=1"),
    ]
    for method, target, kind, shown in escaped:
        response = call(client, method, target, keys[kind])
        if response.status_code != 400:
            wrong.append(
                f"{method} {shown} with the {kind} key in X-API-Key answered {response.status_code}"
            )
    assert not wrong, "a key in the URL was not refused with 400: " + "; ".join(wrong)


@pytest.mark.task(1)
@pytest.mark.hint(
    'Raise `HTTPException(400, detail="Send the API key in the X-API-Key header, not in the '
    'URL")`: a fixed text, never one built from the request.'
)
def test_the_400_says_where_the_key_goes_and_never_repeats_it(client, keys):
    key = keys["reader"]
    response = call(client, "GET", "/reports", key, {"api_key": key})
    assert response.status_code == 400, (
        f"GET /reports?api_key=<key> answered {response.status_code}: {short(response.text)}"
    )
    assert response.json() == {"detail": URL_DETAIL}, (
        f"GET /reports?api_key=<key> answered {short(response.text)}, expected "
        f"{{'detail': {URL_DETAIL!r}}}"
    )
    secret = key.split(".", 1)[1]
    assert secret not in response.text and secret not in str(response.headers), (
        "the 400 answer repeats the key that was sent in the URL"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "params",
    [{"api_key": ""}, {"Api_Key": "nope"}, {"apikey": "x"}],
    ids=["empty-api_key", "Api_Key", "apikey"],
)
@pytest.mark.hint(
    "The parameter's name alone is enough: api_key or apikey, lower-cased before comparing, "
    "whatever the value, even empty."
)
def test_any_api_key_parameter_is_400(client, keys, params):
    response = call(client, "GET", "/reports", keys["reader"], params)
    assert response.status_code == 400, (
        f"{described('GET', '/reports', 'reader', params)} (value {list(params.values())[0]!r}) "
        f"answered {response.status_code}: {short(response.text)}"
    )


@pytest.mark.task(1)
@pytest.mark.points(5)
@pytest.mark.hint(
    'Read the header with `APIKeyHeader(name="X-API-Key", auto_error=False)`, look the '
    "client up with `API_KEYS.get(hash_key(key))`, and raise 401 when there is no key or no "
    "client. API_KEYS is indexed by digests: a key is hashed before the lookup."
)
def test_a_missing_or_unknown_key_is_401(main, client, keys):
    attempts = {
        "no X-API-Key": None,
        "an empty X-API-Key": "",
        "an unknown key": new_key(),
        "the SHA-256 digest of a valid key": digest(keys["both"]),
        "a valid key without its secret": keys["both"].split(".")[0],
    }
    wrong = []
    for method, path in [("GET", "/reports"), ("POST", "/reports"), ("GET", "/whoami")]:
        for what, key in attempts.items():
            response = call(client, method, path, key)
            if response.status_code != 401:
                wrong.append(f"{method} {path} with {what} answered {response.status_code}")
    assert not wrong, "; ".join(wrong)


@pytest.mark.task(1)
@pytest.mark.hint(
    'The 401 is `HTTPException(401, "Invalid or missing API key", headers={"WWW-Authenticate": '
    '"APIKey"})`, the same for a missing and an unknown key.'
)
@pytest.mark.parametrize("kind", ["missing", "unknown"])
def test_the_401_has_its_detail_and_www_authenticate(client, kind):
    response = call(client, "GET", "/whoami", None if kind == "missing" else new_key())
    what = f"GET /whoami with {'no' if kind == 'missing' else 'an unknown'} key"
    assert response.status_code == 401, f"{what} answered {response.status_code}"
    assert response.json() == {"detail": AUTH_DETAIL}, (
        f"{what} answered {short(response.text)}, expected {{'detail': {AUTH_DETAIL!r}}}"
    )
    assert response.headers.get("www-authenticate") == "APIKey", (
        f"{what} answered the WWW-Authenticate header "
        f"{response.headers.get('www-authenticate')!r}, not 'APIKey'"
    )


# --- Task 2: scopes and whoami ------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.parametrize("kind", ["reader", "both"])
def test_a_read_key_lists_the_reports(main, client, keys, kind):
    response = call(client, "GET", "/reports", keys[kind])
    assert response.status_code == 200, (
        f"GET /reports with a key of scopes {SCOPES[kind]} answered {response.status_code}: "
        f"{short(response.text)}"
    )
    expected = {"client": f"{kind}-app", "reports": main.REPORTS}
    assert response.json() == expected, (
        f"GET /reports answered {short(response.text)}, expected {expected}"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("kind", ["writer", "both"])
def test_a_write_key_creates_a_report(client, keys, kind):
    response = call(client, "POST", "/reports", keys[kind])
    assert response.status_code == 201, (
        f"POST /reports with a key of scopes {SCOPES[kind]} answered {response.status_code}: "
        f"{short(response.text)}"
    )
    expected = {"client": f"{kind}-app", "title": "Q3 sales"}
    assert response.json() == expected, (
        f"POST /reports answered {short(response.text)}, expected {expected}"
    )


@pytest.mark.task(2)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Check the route's scope against the client's `scopes` after finding the client: "
    '`Security(current_client, scopes=["write"])` with a `SecurityScopes` parameter, or one '
    "dependency per scope. A valid key without the scope is 403, not 401 and not 200."
)
def test_a_key_without_the_scope_is_403(client, keys):
    attempts = [
        ("POST", "/reports", "reader"),
        ("GET", "/reports", "writer"),
        ("GET", "/reports", "none"),
        ("POST", "/reports", "none"),
    ]
    wrong = []
    for method, path, kind in attempts:
        response = call(client, method, path, keys[kind])
        if response.status_code != 403:
            wrong.append(
                f"{method} {path} with a key of scopes {SCOPES[kind]} answered "
                f"{response.status_code}"
            )
    assert not wrong, "; ".join(wrong)


@pytest.mark.task(2)
@pytest.mark.parametrize("kind", ["writer", "none"])
@pytest.mark.hint("GET /whoami needs a valid key but no scope, and answers user None.")
def test_whoami_names_the_client_and_no_user(client, keys, kind):
    response = call(client, "GET", "/whoami", keys[kind])
    assert response.status_code == 200, (
        f"GET /whoami with a key of scopes {SCOPES[kind]} answered {response.status_code}: "
        f"{short(response.text)}"
    )
    assert response.json() == {"client": f"{kind}-app", "user": None}, (
        f"GET /whoami answered {short(response.text)}, expected "
        f"{{'client': '{kind}-app', 'user': None}}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Nothing in the request can name a user: a key identifies an app. Answer `None` whatever "
    "headers or parameters come with it."
)
def test_whoami_ignores_what_the_request_claims_about_a_user(client, keys):
    response = call(
        client, "GET", "/whoami", keys["reader"], {"user": "alice"}, {"X-User": "alice"}
    )
    assert response.status_code == 200 and response.json() == {
        "client": "reader-app",
        "user": None,
    }, f"GET /whoami?user=alice with X-User: alice answered {short(response.text)}"


# --- Task 3: no key in the logs -----------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint(
    'Replace every match of `re.compile(r"ak_[A-Za-z0-9_.\\-]+")` with "ak_***": `\\w+` stops '
    "at the dot and leaves the secret in the message."
)
def test_the_filter_masks_a_key_in_the_message(utils):
    key = "ak_3f9c1a7e0b2d.Zq4-Xk_9Lm2PqRsTuVwXyZ0aBcDeFgHiJkLmNo"
    _, record = filtered(utils, f"refused key {key} from 10.0.0.7")
    assert record.getMessage() == "refused key ak_*** from 10.0.0.7", (
        f"after the filter, the message {'refused key <key> from 10.0.0.7'!r} reads "
        f"{record.getMessage()!r}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Mask `record.getMessage()` (the format with its arguments filled in), then store it as "
    "`record.msg` and set `record.args = None`: masking `record.msg` alone misses a key "
    "passed as an argument."
)
def test_the_filter_masks_a_key_passed_as_an_argument(utils):
    key = "ak_00aa11bb22cc.aB3-_cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ5a"
    _, record = filtered(utils, "key=%s client=%s", (key, "dashboard"))
    assert record.getMessage() == "key=ak_*** client=dashboard", (
        "logger.info('key=%s client=%s', <key>, 'dashboard') reads "
        f"{record.getMessage()!r} after the filter"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "`pattern.sub(...)` replaces every match, not only the first; a message without a key "
    "must read exactly as before."
)
def test_the_filter_masks_every_key_and_keeps_the_rest(utils):
    first = "ak_1a2b3c4d5e6f.first-secret_value_0123456789abcdefghijkl"
    second = "ak_6f5e4d3c2b1a.second-secret_value_0123456789abcdefghijk"
    _, record = filtered(utils, f"old={first}, new={second}; rotated")
    assert record.getMessage() == "old=ak_***, new=ak_***; rotated", (
        f"a message with two keys reads {record.getMessage()!r} after the filter"
    )
    _, plain = filtered(utils, "%d reports for %s", (3, "dashboard"))
    assert plain.getMessage() == "3 reports for dashboard", (
        f"a message without a key, '%d reports for %s' % (3, 'dashboard'), reads "
        f"{plain.getMessage()!r} after the filter"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "A key is `ak_` and then any run of letters (either case), digits, `_`, `-` and `.`, "
    'whatever its shape: `re.compile(r"ak_[A-Za-z0-9_.\\-]+")`, not a pattern of the '
    "tests' `ak_<hex>.<secret>` form alone."
)
def test_the_filter_masks_keys_of_any_shape(utils):
    shapes = {
        "without a dot": "ak_live_9f3b2c7d1e8a4f60b5c2d9e7a1f3b8c4",
        "with an upper-case prefix": "ak_57EF39D6E060.BvjlxglARy5_BaqsOMgzP6snV06GDmAStDSa",
        "with a - in its prefix and two dots": "ak_57ef-Bvjlxgl.ARy5_BaqsOMgzP6.snV06GDmAStDSa",
        "of one character": "ak_Z",
    }
    wrong = []
    for what, key in shapes.items():
        _, record = filtered(utils, f"got ({key}) twice")
        if record.getMessage() != "got (ak_***) twice":
            wrong.append(f"a key {what}, {key!r}, reads {record.getMessage()!r}")
    assert not wrong, (
        "after the filter, the message 'got (<key>) twice' should read 'got (ak_***) twice': "
        + "; ".join(wrong)
    )


@pytest.mark.task(3)
@pytest.mark.hint("A filter that returns False (or None) drops the record: return True.")
def test_the_filter_keeps_the_record(utils):
    kept_with, _ = filtered(utils, "key ak_abcdefabcdef.some-secret-value-that-is-long-enough")
    kept_without, _ = filtered(utils, "nothing to hide")
    assert kept_with and kept_without, (
        f"the filter returned {kept_with!r} for a record with a key and {kept_without!r} for "
        "one without: the record is dropped"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    'Add it to the logger itself: `logging.getLogger("api").addFilter(RedactSecretsFilter())` '
    "in main.py, not to a handler: a logger's filter rewrites the record before any handler, "
    "here or up the tree, receives it."
)
def test_the_api_logger_carries_the_filter(main, utils):
    filters = logging.getLogger("api").filters
    assert any(isinstance(f, utils.RedactSecretsFilter) for f in filters), (
        f"once main.py is imported, the logger 'api' has the filters {filters!r}, no "
        "RedactSecretsFilter"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    'An `@app.middleware("http")` that calls `logger.info("%s %s", request.method, '
    "request.url)` before `call_next` sees every request, including those a dependency refuses."
)
def test_every_request_is_logged_on_api(client, keys, caplog):
    caplog.set_level(logging.INFO)
    attempts = [
        ("GET", "/reports", "reader", 200),
        ("GET", "/whoami", None, 401),
        ("POST", "/reports", "reader", 403),
    ]
    missing = []
    for method, path, kind, expected in attempts:
        caplog.clear()
        response = call(client, method, path, keys.get(kind), {"page": "2"})
        assert response.status_code == expected, (
            f"{described(method, path, kind)} answered {response.status_code}, not {expected}"
        )
        lines = [
            r.getMessage() for r in caplog.records if r.name == "api" and r.levelno == logging.INFO
        ]
        if not any(method in line and f"{path}?page=2" in line for line in lines):
            missing.append(f"{method} {path}?page=2 ({expected}) logged {lines}")
    assert not missing, "the logger 'api' has no INFO line with the method and URL for " + (
        "; ".join(missing)
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    'Give the logger itself the filter, `logging.getLogger("api").addFilter('
    "RedactSecretsFilter())`, and log the full URL: the key in it shows as ak_***."
)
def test_a_key_in_the_url_is_logged_as_the_mask(client, keys, caplog):
    caplog.set_level(logging.INFO)
    response = call(client, "GET", "/reports", None, {"api_key": keys["reader"]})
    assert response.status_code == 400, (
        f"GET /reports?api_key=<key> answered {response.status_code}"
    )
    lines = [r.getMessage() for r in caplog.records if r.name == "api"]
    assert any("GET" in line and "/reports?api_key=ak_***" in line for line in lines), (
        f"for GET /reports?api_key=<key>, the logger 'api' logged {lines}, no line with "
        "/reports?api_key=ak_***"
    )


@pytest.mark.task(3)
@pytest.mark.points(5)
@pytest.mark.hint(
    "The filter must sit on the logger 'api' itself (a handler's filter does not change what "
    "other handlers receive), and everything the app logs must go through that logger."
)
def test_no_log_record_shows_a_key(main, client, keys, caplog):
    caplog.set_level(logging.DEBUG)
    stranger = new_key()
    sent = [*keys.values(), stranger]
    call(client, "GET", "/reports", None, {"api_key": keys["reader"]})
    call(client, "GET", "/whoami", keys["both"], {"APIKEY": keys["both"]})
    call(client, "POST", "/reports", keys["writer"], {"token": keys["writer"]})
    call(client, "GET", "/reports", keys["reader"])
    call(client, "POST", "/reports", keys["reader"])
    call(client, "GET", "/whoami", stranger)
    logging.getLogger("api").info("rotated %s to %s", keys["none"], stranger)
    leaks = []
    for record in app_records(caplog):
        text = record.getMessage() + (record.exc_text or "")
        for key in sent:
            if shows_part_of_secret(text, key):
                leaks.append(f"{record.name}: {short(text.replace(key, '<key>'), 150)}")
                break
    assert not leaks, "log records show a key: " + " | ".join(leaks)
