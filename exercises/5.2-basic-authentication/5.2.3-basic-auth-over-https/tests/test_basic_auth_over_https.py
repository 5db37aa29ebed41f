"""Hidden tests for 5.2.3: GET /reports takes Basic credentials over https only.

All offline through TestClient: base_url https marks a request as arriving over TLS, `client=`
sets the peer address (10.0.0.5 is the starter's trusted proxy). compare_digest is watched in
`secrets`, `hmac` and under any name main.py bound it to. The refusals that let a stranger in
weigh as much as a whole task each."""

import base64
import hmac
import secrets

import pytest

HSTS = "max-age=31536000; includeSubDomains"
PROXY = ("10.0.0.5", 4242)
STRANGER = ("203.0.113.7", 4242)


@pytest.fixture
def main(learner):
    return learner.require(
        "main", "app", "TRUSTED_PROXIES", "REPORT_USERNAME", "REPORT_PASSWORD", "REPORTS"
    )


@pytest.fixture
def clients(main, app_client):
    """http, https, proxy (plain http from 10.0.0.5) and stranger (plain http from elsewhere)."""

    class Clients:
        http = app_client(main.app)
        https = app_client(main.app, base_url="https://testserver")
        proxy = app_client(main.app, client=PROXY)
        proxy_tls = app_client(main.app, client=PROXY, base_url="https://testserver")
        stranger = app_client(main.app, client=STRANGER)

    return Clients


@pytest.fixture
def right(main):
    return (main.REPORT_USERNAME, main.REPORT_PASSWORD)


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
        if value is original:
            monkeypatch.setattr(main, name, watched)
    return calls


def short(text, size=200):
    return text if len(text) <= size else text[:size] + "..."


def hsts_values(response) -> list[str]:
    return response.headers.get_list("strict-transport-security")


def challenge_scheme(response) -> str:
    return response.headers.get("www-authenticate", "").strip().split(" ")[0].lower()


def assert_https_required(response, what):
    assert response.status_code == 403, (
        f"{what} answered {response.status_code}, not 403: {short(response.text)}"
    )
    assert response.json() == {"detail": "HTTPS required"}, (
        f"{what} answered {short(response.text)}, expected {{'detail': 'HTTPS required'}}"
    )


def assert_basic_401(response, what):
    assert response.status_code == 401, (
        f"{what} answered {response.status_code}, not 401: {short(response.text)}"
    )
    assert challenge_scheme(response) == "basic", (
        f"{what} answered 401 with WWW-Authenticate "
        f"{response.headers.get('www-authenticate')!r}, not a Basic challenge"
    )


def assert_redirected(response, location, what):
    assert response.status_code == 307, (
        f"{what} answered {response.status_code}, not a 307 redirect: {short(response.text)}"
    )
    assert response.headers.get("location") == location, (
        f"{what} redirected to {response.headers.get('location')!r}, not {location!r}"
    )


def basic(raw: bytes) -> bytes:
    return b"Basic " + base64.b64encode(raw)


# --- Task 1: no Basic over plain http ------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Check `request.url.scheme` before anything else (a middleware, or a dependency listed "
    "before the credentials): over http, answer 403 {'detail': 'HTTPS required'} even for the "
    "right credentials."
)
def test_right_credentials_over_plain_http_are_refused(clients, right):
    assert_https_required(
        clients.http.get("/reports", auth=right),
        "GET http://testserver/reports with the right credentials",
    )


@pytest.mark.task(1)
@pytest.mark.points(5)
@pytest.mark.hint(
    "The https check runs before HTTPBasic and before any comparison: a missing or wrong "
    "Authorization header over http gets the same 403, without a WWW-Authenticate challenge."
)
def test_the_http_refusal_comes_before_the_credentials(clients, digest_calls):
    for what, headers in [
        ("without credentials", {}),
        ("with a wrong password", {"Authorization": basic(b"scraper:guess").decode()}),
        ("with an unknown username", {"Authorization": basic(b"mallory:guess").decode()}),
        ("with a Bearer token", {"Authorization": "Bearer abc.def.ghi"}),
        ("with Basic and a value that is not base64", {"Authorization": "Basic ***"}),
    ]:
        digest_calls.clear()
        response = clients.http.get("/reports", headers=headers)
        assert_https_required(response, f"GET http://testserver/reports {what}")
        assert "www-authenticate" not in response.headers, (
            f"GET http://testserver/reports {what} answered a WWW-Authenticate challenge "
            f"({response.headers.get('www-authenticate')!r}) over plain http"
        )
        assert not digest_calls, (
            f"GET http://testserver/reports {what} called compare_digest: the credentials were "
            "looked at over plain http"
        )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "For plain http on any path but /reports, answer `RedirectResponse(str(request.url."
    "replace(scheme='https')), status_code=307)`, or let `HTTPSRedirectMiddleware` do it."
)
def test_other_plain_http_requests_are_redirected(clients):
    for path in ["/", "/?page=2&sort=title", "/nowhere/at/all"]:
        assert_redirected(
            clients.http.get(path), f"https://testserver{path}", f"GET http://testserver{path}"
        )
    assert_redirected(
        clients.http.post("/?x=1"), "https://testserver/?x=1", "POST http://testserver/?x=1"
    )
    assert_redirected(
        clients.http.get("/", headers={"Host": "api.example.com"}),
        "https://api.example.com/",
        "GET http://api.example.com/ (Host: api.example.com)",
    )


# --- Task 2: HSTS --------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Set the header in an HTTP middleware, after `call_next`, when the scheme is https: it "
    "then reaches the 401 of HTTPBasic and the 404 of an unknown path too, which a header set "
    "inside the endpoint never does."
)
def test_every_https_response_carries_hsts(clients, right):
    https = clients.https
    for what, send in [
        ("GET https://testserver/", lambda: https.get("/")),
        (
            "GET https://testserver/reports with the right credentials",
            lambda: https.get("/reports", auth=right),
        ),
        ("GET https://testserver/reports without credentials", lambda: https.get("/reports")),
        (
            "GET https://testserver/reports with a wrong password",
            lambda: https.get("/reports", auth=(right[0], "guess")),
        ),
        ("GET https://testserver/nowhere (404)", lambda: https.get("/nowhere")),
    ]:
        response = send()
        assert hsts_values(response) == [HSTS], (
            f"{what} answered {response.status_code} with Strict-Transport-Security "
            f"{hsts_values(response)!r}, expected [{HSTS!r}]"
        )


@pytest.mark.task(2)
@pytest.mark.hint("Add the header only when `request.url.scheme == 'https'`.")
def test_no_plain_http_response_carries_hsts(clients, right):
    for what, response in [
        ("GET http://testserver/reports (403)", clients.http.get("/reports", auth=right)),
        ("GET http://testserver/ (redirect)", clients.http.get("/")),
        ("GET http://testserver/nowhere (redirect)", clients.http.get("/nowhere")),
    ]:
        assert not hsts_values(response), (
            f"{what} answered {response.status_code} with Strict-Transport-Security "
            f"{hsts_values(response)!r} over plain http"
        )


# --- Task 3: the scraper's credentials, compared in constant time ----------------------------


@pytest.mark.task(3)
def test_right_credentials_over_https_get_the_reports(main, clients, right):
    response = clients.https.get("/reports", auth=right)
    assert response.status_code == 200, (
        f"GET https://testserver/reports with the right credentials answered "
        f"{response.status_code}: {short(response.text)}"
    )
    assert response.json() == {"reports": main.REPORTS}, (
        f"GET https://testserver/reports answered {short(response.text)}, expected "
        "{'reports': REPORTS}"
    )


def fastapi_app(app):
    """The FastAPI application inside `app`, however many ASGI wrappers are around it."""
    for _ in range(10):
        if hasattr(app, "openapi") and hasattr(app, "routes"):
            return app
        app = getattr(app, "app", None)
    return None


@pytest.mark.task(3)
@pytest.mark.hint(
    "Use `HTTPBasic()` as a dependency of GET /reports (`Depends(security)`, directly or in "
    "your own dependency): that is what declares the http/basic scheme."
)
def test_openapi_declares_http_basic_for_reports(main):
    inner = fastapi_app(main.app)
    assert inner is not None, "main.app is not (and does not wrap) a FastAPI application"
    schema = inner.openapi()
    schemes = schema.get("components", {}).get("securitySchemes", {})
    basic_names = {
        name
        for name, scheme in schemes.items()
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "basic"
    }
    operation = schema.get("paths", {}).get("/reports", {}).get("get", {})
    listed = {name for entry in operation.get("security", []) for name in entry}
    assert listed & basic_names, (
        f"GET /reports lists the security schemes {sorted(listed)!r} in OpenAPI, not an "
        f"http/basic one; securitySchemes are {schemes!r}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "`HTTPBasic()` as a dependency answers a missing header with 401 and a challenge."
)
def test_missing_credentials_over_https_get_a_challenge(clients):
    assert_basic_401(
        clients.https.get("/reports"), "GET https://testserver/reports without credentials"
    )


@pytest.mark.task(3)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Let a request in only when both comparisons are true, the username's and the password's; "
    "every other case raises the 401 with `WWW-Authenticate: Basic`."
)
def test_only_the_exact_credentials_let_in(clients, right):
    username, password = right
    attempts = {
        "a wrong password": (username, "not-the-password"),
        "an unknown username with the right password": ("mallory", password),
        "username and password swapped": (password, username),
        "the password without its last character": (username, password[:-1]),
        "the password with a character added": (username, password + "x"),
        "the password in upper case": (username, password.upper()),
        "an empty password": (username, ""),
        "the username in upper case": (username.upper(), password),
    }
    let_in = []
    for what, auth in attempts.items():
        if auth == right:
            continue
        response = clients.https.get("/reports", auth=auth)
        if response.status_code != 401 or challenge_scheme(response) != "basic":
            let_in.append(f"{what} answered {response.status_code} {short(response.text, 80)}")
    assert not let_in, (
        "GET https://testserver/reports did not answer 401 with a Basic challenge: "
        + "; ".join(let_in)
    )


@pytest.mark.task(3)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Compute both `secrets.compare_digest(sent_username.encode(), REPORT_USERNAME.encode())` "
    "and the same for the password into two variables first, then test them together: "
    "`compare(a) and compare(b)` never runs the second call when the first is false. Empty "
    "credentials are compared too: no shortcut before the check."
)
def test_username_and_password_each_go_through_compare_digest(clients, right, digest_calls):
    username, password = right
    for what, auth, expected in [
        ("the right credentials", right, 200),
        ("a wrong password", (username, "not-the-password"), 401),
        ("an unknown username", ("mallory", "not-the-password"), 401),
        ("an unknown username with the right password", ("mallory", password), 401),
        ("an empty password", (username, ""), 401),
        ("an empty username", ("", password), 401),
    ]:
        digest_calls.clear()
        response = clients.https.get("/reports", auth=auth)
        assert response.status_code == expected, (
            f"GET https://testserver/reports with {what} answered {response.status_code}: "
            f"{short(response.text)}"
        )
        assert len(digest_calls) >= 2, (
            f"GET https://testserver/reports with {what} made {len(digest_calls)} "
            "compare_digest call(s): the username and the password each need their own, "
            "every time"
        )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Read `REPORT_USERNAME` and `REPORT_PASSWORD` inside the check, when the request comes: "
    "a copy made at import (a default argument, a settings object built once, bytes encoded "
    "once) keeps the old username or password."
)
def test_new_credentials_work_at_the_next_request(main, clients, monkeypatch):
    old = (main.REPORT_USERNAME, main.REPORT_PASSWORD)
    monkeypatch.setattr(main, "REPORT_PASSWORD", "rotated-Vq3s8Lx0Pz")
    response = clients.https.get("/reports", auth=(main.REPORT_USERNAME, "rotated-Vq3s8Lx0Pz"))
    assert response.status_code == 200, (
        f"GET https://testserver/reports with the password just set in REPORT_PASSWORD "
        f"answered {response.status_code}: {short(response.text)}"
    )
    assert_basic_401(
        clients.https.get("/reports", auth=old),
        "GET https://testserver/reports with the password REPORT_PASSWORD held before",
    )
    monkeypatch.setattr(main, "REPORT_USERNAME", "metrics-bot")
    response = clients.https.get("/reports", auth=("metrics-bot", "rotated-Vq3s8Lx0Pz"))
    assert response.status_code == 200, (
        f"GET https://testserver/reports with the username just set in REPORT_USERNAME "
        f"answered {response.status_code}: {short(response.text)}"
    )
    assert_basic_401(
        clients.https.get("/reports", auth=(old[0], "rotated-Vq3s8Lx0Pz")),
        "GET https://testserver/reports with the username REPORT_USERNAME held before",
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "`secrets.compare_digest` raises TypeError for a str that is not ASCII: compare "
    "`.encode('utf-8')` bytes on both sides."
)
def test_non_ascii_values_never_make_a_500(main, clients, monkeypatch):
    monkeypatch.setattr(main, "REPORT_PASSWORD", "Grüße-für-€-Berichte")
    monkeypatch.setattr(main, "REPORT_USERNAME", "scräper")
    for what, request in [
        ("ASCII credentials", {"auth": ("scraper", "Grusse")}),
        ("a UTF-8 password", {"headers": {"Authorization": basic("scraper:ü".encode())}}),
        (
            "a Latin-1 password",
            {"headers": {"Authorization": basic("scraper:ü".encode("latin-1"))}},
        ),
    ]:
        assert_basic_401(
            clients.https.get("/reports", **request),
            f"GET https://testserver/reports with {what} while REPORT_USERNAME and "
            "REPORT_PASSWORD are not ASCII",
        )


# --- Task 4: X-Forwarded-Proto from our proxy only -----------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Decide with `request.url.scheme`, which ProxyHeadersMiddleware rewrites for 10.0.0.5, and "
    "keep that middleware added last (outermost): a middleware outside it sees the raw http."
)
def test_our_proxy_reports_the_scheme(main, clients, right):
    https = {"X-Forwarded-Proto": "https"}
    response = clients.proxy.get("/reports", auth=right, headers=https)
    assert response.status_code == 200, (
        "GET http://testserver/reports from our proxy 10.0.0.5 with X-Forwarded-Proto: https "
        f"and the right credentials answered {response.status_code}: {short(response.text)}"
    )
    assert hsts_values(response) == [HSTS], (
        "GET /reports from our proxy with X-Forwarded-Proto: https answered "
        f"Strict-Transport-Security {hsts_values(response)!r}, expected [{HSTS!r}]"
    )
    page = clients.proxy.get("/", headers=https)
    assert page.status_code == 200 and hsts_values(page) == [HSTS], (
        "GET http://testserver/ from our proxy with X-Forwarded-Proto: https answered "
        f"{page.status_code} with Strict-Transport-Security {hsts_values(page)!r}"
    )
    assert_https_required(
        clients.proxy_tls.get("/reports", auth=right, headers={"X-Forwarded-Proto": "http"}),
        "GET /reports from our proxy with X-Forwarded-Proto: http",
    )


@pytest.mark.task(4)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Never read X-Forwarded-Proto yourself, and never trust every address "
    "(`trusted_hosts='*'`): any client can send the header. Only request.url.scheme, as "
    "ProxyHeadersMiddleware set it for TRUSTED_PROXIES, decides."
)
def test_x_forwarded_proto_from_anyone_else_changes_nothing(clients, right):
    claim = {"X-Forwarded-Proto": "https"}
    for who, client in [("TestClient's testclient", clients.http), (STRANGER[0], clients.stranger)]:
        assert_https_required(
            client.get("/reports", auth=right, headers=claim),
            f"GET http://testserver/reports from {who} claiming X-Forwarded-Proto: https",
        )
        assert_redirected(
            client.get("/", headers=claim),
            "https://testserver/",
            f"GET http://testserver/ from {who} claiming X-Forwarded-Proto: https",
        )
