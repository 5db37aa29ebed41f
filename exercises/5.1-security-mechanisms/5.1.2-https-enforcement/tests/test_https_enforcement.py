"""Hidden tests for 5.1.2: the app-level HTTPS controls, offline.

No TLS connection is ever made: TestClient's base_url sets the request's scheme ("http" or
"https", as if uvicorn or the proxy had done the TLS), its `client` option sets the peer address
(our proxy 10.0.0.5, a stranger 203.0.113.7, or TestClient's default "testclient"), and the
clients follow no redirect, so that the 307 itself is what the tests read.
"""

import pytest

HSTS = "max-age=31536000; includeSubDomains"
PROXY = ("10.0.0.5", 41000)
STRANGER = ("203.0.113.7", 41000)


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "TRUSTED_PROXIES")


@pytest.fixture
def clients(main, app_client):
    def make(scheme="http", client=None):
        options = {"base_url": f"{scheme}://testserver"}
        if client is not None:
            options["client"] = client
        return app_client(main.app, **options)

    return make


def said(response):
    head = f"{response.status_code}"
    if "location" in response.headers:
        head += f" (Location {response.headers['location']})"
    return f"{head} {response.text[:150]}".strip()


def hsts_of(response):
    return response.headers.get_list("strict-transport-security")


def session_cookie(response, what):
    """The `session` Set-Cookie of the response: (value, {attribute: value}), names lowered."""
    for header in response.headers.get_list("set-cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        name, _, value = first.partition("=")
        if name.strip() == "session":
            parsed = {}
            for attribute in attributes:
                key, _, val = attribute.partition("=")
                parsed[key.strip().lower()] = val.strip()
            return value.strip(), parsed, header
    pytest.fail(
        f"{what} answered {said(response)} without a `session` cookie "
        f"(Set-Cookie: {response.headers.get_list('set-cookie')})"
    )


def redirected(response, to, what):
    assert response.status_code == 307, f"{what} answered {said(response)}, expected 307"
    location = response.headers.get("location")
    assert location == to, f"{what} answered 307 with Location {location!r}, expected {to!r}"


def served_over_https(response, what, status=200):
    assert response.status_code == status, (
        f"{what} answered {said(response)}, expected {status} (served as an https request)"
    )
    assert hsts_of(response) == [HSTS], (
        f"{what} answered {status} with Strict-Transport-Security {hsts_of(response)}, "
        f"expected exactly [{HSTS!r}]"
    )


# --- Task 1: plain http is redirected ---------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "app.add_middleware(HTTPSRedirectMiddleware) answers every plain-http request with 307 "
    "to the same URL in https, before any route runs (so unknown paths are redirected too)."
)
@pytest.mark.parametrize("path", ["/status", "/status?verbose=1&tag=a%20b", "/nowhere/at/all"])
def test_plain_http_get_is_307_to_the_same_url_in_https(clients, path):
    response = clients("http").get(path)
    redirected(response, f"https://testserver{path}", f"GET http://testserver{path}")


@pytest.mark.task(1)
@pytest.mark.hint(
    "Build the https URL from the request's own Host header (HTTPSRedirectMiddleware does), "
    "never from a fixed host name."
)
def test_redirect_keeps_the_requested_host(clients):
    response = clients("http").get("/status", headers={"Host": "api.example.com"})
    redirected(response, "https://api.example.com/status", "GET /status with Host api.example.com")


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A plain-http POST must be redirected with 307 (the client repeats the POST over https), "
    "and the route must not run: the session cookie is set over https only."
)
def test_plain_http_login_is_redirected_without_a_cookie(clients):
    response = clients("http").post("/login")
    redirected(response, "https://testserver/login", "POST http://testserver/login")
    cookies = response.headers.get_list("set-cookie")
    assert cookies == [], f"POST http://testserver/login set cookies over plain http: {cookies}"


@pytest.mark.task(1)
@pytest.mark.hint("An https request goes through to the route: GET /status answers 200.")
def test_https_request_is_served(clients):
    response = clients("https").get("/status")
    assert response.status_code == 200 and response.json() == {"status": "ok"}, (
        f"GET https://testserver/status answered {said(response)}, expected 200 {{'status': 'ok'}}"
    )


# --- Task 2: HSTS ------------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "In a middleware: `response = await call_next(request)`, then, when "
    "`request.url.scheme == 'https'`, set response.headers['Strict-Transport-Security'] = "
    "'max-age=31536000; includeSubDomains' (that value exactly)."
)
def test_https_answer_carries_hsts(clients):
    served_over_https(clients("https").get("/status"), "GET https://testserver/status")


@pytest.mark.task(2)
@pytest.mark.hint(
    "Set HSTS in a middleware, not in a route: errors that FastAPI answers by itself (404, "
    "405) never reach a route, and they need the header too."
)
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("DELETE", "/status", 405), ("POST", "/login", 204)],
)
def test_every_https_answer_carries_hsts(clients, method, path, status):
    response = clients("https").request(method, path)
    served_over_https(response, f"{method} https://testserver{path}", status)


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Only an https request gets HSTS: check the request's scheme, and let the redirect "
    "happen before (outside) the HSTS middleware, or skip it for http."
)
def test_no_hsts_over_plain_http(clients):
    for method, path in [("GET", "/status"), ("POST", "/login"), ("GET", "/nowhere")]:
        response = clients("http").request(method, path)
        assert response.status_code == 307, (
            f"{method} http://testserver{path} answered {said(response)}, expected 307"
        )
        assert hsts_of(response) == [], (
            f"{method} http://testserver{path} answered 307 with Strict-Transport-Security "
            f"{hsts_of(response)}: never send it over plain http"
        )


# --- Task 3: X-Forwarded-Proto from our proxy only ---------------------------------------------


def not_redirected(response, what, status=200):
    assert response.status_code == status, (
        f"{what} answered {said(response)}, expected {status} (served as an https request)"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Add ProxyHeadersMiddleware(trusted_hosts=TRUSTED_PROXIES) last, so that it runs first: it "
    "sets the scheme to https before HTTPSRedirectMiddleware looks at it. Added first, it runs "
    "after the redirect and every proxied request is redirected again and again."
)
def test_trusted_proxy_forwarding_https_is_served_as_https(clients):
    proxy = clients("http", PROXY)
    what = "GET /status over http from 10.0.0.5 with X-Forwarded-Proto: https"
    not_redirected(proxy.get("/status", headers={"X-Forwarded-Proto": "https"}), what)
    login = proxy.post("/login", headers={"X-Forwarded-Proto": "https"})
    not_redirected(login, "POST /login from 10.0.0.5 with X-Forwarded-Proto: https", 204)
    session_cookie(login, "POST /login from 10.0.0.5 with X-Forwarded-Proto: https")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Whatever adds HSTS must read the scheme after ProxyHeadersMiddleware rewrote it: declare "
    "the HSTS middleware before the add_middleware calls, so that it runs inside them. One "
    "declared after them is outermost: it runs first and, before call_next, still sees http "
    "for a request our proxy forwarded as https."
)
def test_trusted_proxy_forwarding_https_gets_hsts(clients):
    proxy = clients("http", PROXY)
    for method, path, status in [("GET", "/status", 200), ("POST", "/login", 204)]:
        response = proxy.request(method, path, headers={"X-Forwarded-Proto": "https"})
        what = f"{method} {path} over http from 10.0.0.5 with X-Forwarded-Proto: https"
        not_redirected(response, what, status)
        why = ""
        if not hsts_of(response):
            why = "\nthe scheme that decides HSTS was read before ProxyHeadersMiddleware rewrote it"
        assert hsts_of(response) == [HSTS], (
            f"{what} was served as https ({status}) with Strict-Transport-Security "
            f"{hsts_of(response)}, expected exactly [{HSTS!r}]{why}"
        )


@pytest.mark.task(3)
@pytest.mark.hint(
    "From our proxy, X-Forwarded-Proto: http means the client used plain http: redirect it "
    "like any plain-http request, and so without the header at all."
)
@pytest.mark.parametrize("forwarded", ["http", None], ids=["http", "no-header"])
def test_trusted_proxy_forwarding_plain_http_is_redirected(clients, forwarded):
    headers = {} if forwarded is None else {"X-Forwarded-Proto": forwarded}
    response = clients("http", PROXY).get("/status", headers=headers)
    what = f"GET /status over http from 10.0.0.5 with {headers or 'no X-Forwarded-Proto'}"
    redirected(response, "https://testserver/status", what)
    assert hsts_of(response) == [], f"{what} answered with HSTS {hsts_of(response)}"


@pytest.mark.task(3)
@pytest.mark.points(6)
@pytest.mark.hint(
    "Believe X-Forwarded-Proto only from the addresses in TRUSTED_PROXIES: "
    "ProxyHeadersMiddleware(trusted_hosts=TRUSTED_PROXIES), never trusted_hosts='*', never "
    "the proxy's whole network (10.0.0.0/8) and never a check of the header alone. Any client "
    "can send the header."
)
def test_x_forwarded_proto_from_another_address_is_ignored(clients):
    proxied = clients("http", PROXY).get("/status", headers={"X-Forwarded-Proto": "https"})
    not_redirected(proxied, "GET /status from our proxy 10.0.0.5 with X-Forwarded-Proto: https")
    others = [(STRANGER, "203.0.113.7"), (None, "TestClient's 'testclient'")]
    # addresses next to our proxy's: trusting its network instead of its address lets them in
    others += [((host, 41000), host) for host in ("10.0.0.6", "10.0.0.50", "10.9.9.9")]
    for client, name in others:
        response = clients("http", client).get("/status", headers={"X-Forwarded-Proto": "https"})
        what = f"GET /status over plain http from {name} claiming X-Forwarded-Proto: https"
        redirected(response, "https://testserver/status", what)
        assert hsts_of(response) == [], f"{what} answered with HSTS {hsts_of(response)}"


# --- Task 4: the session cookie -----------------------------------------------------------------


@pytest.fixture
def login(clients):
    def post():
        response = clients("https").post("/login")
        assert response.status_code == 204, (
            f"POST https://testserver/login answered {said(response)}, expected 204"
        )
        return session_cookie(response, "POST https://testserver/login")

    return post


@pytest.mark.task(4)
@pytest.mark.points(6)
@pytest.mark.hint(
    "response.set_cookie('session', value, secure=True, ...): without Secure, the browser "
    "sends the session in clear with its next plain-http request, before any redirect."
)
def test_session_cookie_is_secure(login):
    _, attributes, header = login()
    assert "secure" in attributes, f"the session cookie lacks Secure: Set-Cookie: {header}"


@pytest.mark.task(4)
@pytest.mark.points(6)
@pytest.mark.hint(
    "response.set_cookie('session', value, httponly=True, ...): without HttpOnly, any script "
    "in the page (an injected one too) reads document.cookie and takes the session."
)
def test_session_cookie_is_http_only(login):
    _, attributes, header = login()
    assert "httponly" in attributes, f"the session cookie lacks HttpOnly: Set-Cookie: {header}"


@pytest.mark.task(4)
@pytest.mark.points(6)
@pytest.mark.hint(
    "set_cookie(..., samesite='lax'): with SameSite=None (or no SameSite at all in older "
    "browsers) the cookie goes along with another site's form posts to your app (CSRF)."
)
def test_session_cookie_stays_out_of_cross_site_posts(login):
    _, attributes, header = login()
    samesite = attributes.get("samesite", "<missing>")
    assert samesite.lower() in ("lax", "strict"), (
        f"the session cookie has SameSite={samesite}: other sites' form posts carry it. "
        f"Set-Cookie: {header}"
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "set_cookie(..., samesite='lax', path='/'): Starlette writes SameSite=lax and Path=/ by "
    "default; Strict would drop the session when a user follows a link from another site."
)
def test_session_cookie_is_same_site_lax_on_the_whole_site(login):
    _, attributes, header = login()
    samesite = attributes.get("samesite", "<missing>")
    assert samesite.lower() == "lax", (
        f"the session cookie has SameSite={samesite}, expected Lax: Set-Cookie: {header}"
    )
    assert attributes.get("path") == "/", (
        f"the session cookie has Path={attributes.get('path', '<missing>')}, expected /: "
        f"Set-Cookie: {header}"
    )


@pytest.mark.task(4)
@pytest.mark.points(6)
@pytest.mark.hint(
    "Make a new value at each login inside the route: `secrets.token_urlsafe(32)` gives 43 "
    "random URL-safe characters. A value made once at import is the same for everyone."
)
def test_each_login_gets_a_new_random_session(login):
    values = [login()[0] for _ in range(3)]
    assert all(len(v) >= 32 for v in values), (
        f"the session values {values} are not all at least 32 characters long"
    )
    assert len(set(values)) == 3, f"three logins set the session values {values}"
