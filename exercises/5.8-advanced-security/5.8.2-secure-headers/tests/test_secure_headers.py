"""Hidden tests for 5.8.2: the secure headers on every answer of the app, errors included.

Header values are parsed, never compared as whole strings: a Content-Security-Policy is split into
its directives (the first of a repeated name wins, as in browsers) and only the required ones are
checked, plus the rule that no other directive allows anything. The /docs policy is matched against
the page's own <script> and <link rel="stylesheet"> tags the way a CSP Level 2 browser matches
them. The 500 is provoked by overriding `get_store` with a function that raises. An error answer
without the headers, and a relaxed or wildcard policy, weigh as much as a whole task.
"""

import base64
import hashlib
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

ITEM = {"name": "Kettle", "price": 12.5}
GOOD_LOGIN = {"username": "demo", "password": "correct horse battery staple"}
BAD_LOGIN = {"username": "demo", "password": "wrong"}
YEAR = 31536000


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "get_store")


@pytest.fixture
def clients(main, app_client):
    made = {}

    def make(scheme="http"):
        if scheme not in made:
            made[scheme] = app_client(main.app, base_url=f"{scheme}://testserver")
        return made[scheme]

    return make


def explode():
    raise RuntimeError("the store is down")


@pytest.fixture
def failing_store(main, overrides):
    overrides(main.app, {main.get_store: explode})


def said(response):
    return f"{response.status_code} {response.text[:120]!r}"


def values(response, name):
    return response.headers.get_list(name)


def one(response, name, what):
    found = values(response, name)
    assert len(found) == 1, (
        f"{what} answered {response.status_code} with {len(found)} {name} headers {found}, "
        f"expected exactly one"
    )
    return found[0].strip()


# --- parsing ------------------------------------------------------------------------------------


def csp_directives(policy):
    """{directive name (lowered): [sources as written]}; a repeated name is ignored."""
    directives = {}
    for part in policy.split(";"):
        tokens = part.split()
        if tokens and tokens[0].lower() not in directives:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


def lowered(sources):
    return [s.lower() for s in sources]


def strict_csp_problem(policy):
    directives = csp_directives(policy)
    for name in ("default-src", "frame-ancestors"):
        if lowered(directives.get(name, ["<missing>"])) != ["'none'"]:
            return f"{name} is {' '.join(directives.get(name, ['<missing>']))!r}, not 'none'"
    for name, sources in directives.items():
        if name in ("report-uri", "report-to") or not sources:
            continue
        if lowered(sources) != ["'none'"]:
            return f"the directive {name} allows {' '.join(sources)!r}"
    return None


def comma_features(header):
    features = {}
    for part in header.split(","):
        name, _, allowlist = part.strip().partition("=")
        features.setdefault(name.strip().lower(), allowlist.strip())
    return features


def semicolon_directives(header):
    found = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name.strip():
            found.setdefault(name.strip().lower(), value.strip().strip('"'))
    return found


# --- what every answer carries ------------------------------------------------------------------


def check_common(response, what):
    """The Task 1 headers: each exactly once, with its value."""
    for name, expected in [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "deny"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ]:
        value = one(response, name, what)
        assert value.lower() == expected, (
            f"{what} answered {response.status_code} with {name}: {value!r}, expected {expected}"
        )
    features = comma_features(one(response, "Permissions-Policy", what))
    for feature in ("camera", "microphone", "geolocation"):
        assert features.get(feature) == "()", (
            f"{what} answered {response.status_code} with Permissions-Policy features "
            f"{features}: {feature} must be ()"
        )


def check_strict_csp(response, what):
    policy = one(response, "Content-Security-Policy", what)
    problem = strict_csp_problem(policy)
    assert problem is None, (
        f"{what} answered {response.status_code} with Content-Security-Policy {policy!r}: {problem}"
    )


def check_hsts(response, what):
    header = one(response, "Strict-Transport-Security", what + " over https")
    directives = semicolon_directives(header)
    age = directives.get("max-age", "")
    assert age.isdigit() and int(age) >= YEAR, (
        f"{what} over https answered Strict-Transport-Security {header!r}: max-age must be at "
        f"least {YEAR}"
    )
    assert "includesubdomains" in directives, (
        f"{what} over https answered Strict-Transport-Security {header!r} without includeSubDomains"
    )


def check_no_hsts(response, what):
    found = values(response, "Strict-Transport-Security")
    assert found == [], (
        f"{what} over plain http answered {response.status_code} with Strict-Transport-Security "
        f"{found}: send it over https only"
    )


def check_no_store(response, what):
    header = ", ".join(values(response, "Cache-Control"))
    directives = {part.strip().partition("=")[0].lower() for part in header.split(",")}
    assert "no-store" in directives, (
        f"{what} answered {response.status_code} with Cache-Control {header!r}, expected no-store"
    )


def expect(response, status, what):
    assert response.status_code == status, f"{what} answered {said(response)}, expected {status}"
    return response


def everything(response, scheme, what, path):
    """Every header an answer to `path` over `scheme` must carry. (What no answer may carry,
    X-XSS-Protection and HSTS over http, has its own tests, errors included, so that one
    such mistake is counted once.)"""
    check_common(response, what)
    check_strict_csp(response, what)
    if scheme == "https":
        check_hsts(response, what)
    if path.startswith("/auth/"):
        check_no_store(response, what)


# --- Task 1: every response ---------------------------------------------------------------------

SUCCESSES = [
    ("GET", "/items/1", None, 200),
    ("POST", "/items", ITEM, 201),
    ("GET", "/authors", None, 200),
    ("GET", "/openapi.json", None, 200),
]
ERRORS = [
    ("GET", "/nowhere", None, 404),
    ("GET", "/items/999", None, 404),
    ("DELETE", "/items/1", None, 405),
    ("POST", "/items", {"name": "", "price": -1}, 422),
    ("POST", "/auth/token", BAD_LOGIN, 401),
]


def every_kind_of_answer(client, main, overrides):
    """(what, response) for a success of each route, /docs, each error, and the 500 of the
    Exception handler (get_store raising)."""
    for method, path, body, status in SUCCESSES + [("GET", "/docs", None, 200)] + ERRORS:
        what = f"{method} {path}"
        yield what, expect(client.request(method, path, json=body), status, what)
    overrides(main.app, {main.get_store: explode})
    what = "GET /items/1 while get_store raises RuntimeError"
    yield what, expect(client.get("/items/1"), 500, what)


@pytest.mark.task(1)
@pytest.mark.hint(
    "In an @app.middleware('http') function: response = await call_next(request), then set "
    "response.headers['X-Content-Type-Options'] = 'nosniff', 'X-Frame-Options' = 'DENY', "
    "'Referrer-Policy' = 'strict-origin-when-cross-origin' and 'Permissions-Policy' = "
    "'camera=(), microphone=(), geolocation=()' (assignment replaces; .append would add twice)."
)
@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/items/1", None, 200),
        ("POST", "/items", {"name": "Kettle", "price": 12.5}, 201),
        ("GET", "/authors", None, 200),
        ("GET", "/openapi.json", None, 200),
    ],
)
def test_secure_headers_on_every_answer(clients, method, path, body, status):
    what = f"{method} {path}"
    response = expect(clients("http").request(method, path, json=body), status, what)
    check_common(response, what)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'. An API answer loads "
    "nothing and is framed by nobody; any other directive you add may only say 'none'."
)
@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/items/1", None, 200),
        ("POST", "/items", {"name": "Kettle", "price": 12.5}, 201),
        ("GET", "/authors", None, 200),
        ("GET", "/openapi.json", None, 200),
    ],
)
def test_strict_csp_on_the_api(clients, method, path, body, status):
    what = f"{method} {path}"
    response = expect(clients("https").request(method, path, json=body), status, what)
    check_strict_csp(response, what)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "X-XSS-Protection: 1; mode=block switches on a browser filter that no longer exists and "
    "could leak data: don't send the header at all (on errors and the 500 neither), or send "
    "X-XSS-Protection: 0."
)
def test_no_obsolete_xss_filter(main, clients, overrides):
    for what, response in every_kind_of_answer(clients("http"), main, overrides):
        found = values(response, "X-XSS-Protection")
        assert found in ([], ["0"]), (
            f"{what} answered {response.status_code} with X-XSS-Protection {found}: the header "
            f"is obsolete, leave it out or send 0"
        )


# --- Task 2: errors carry them too --------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Set the headers in a middleware, not in the routes or a dependency: FastAPI's own 404, 405 "
    "and 422, the HTTPException of a route and the answer of the ItemNotFound handler all pass "
    "back through the middleware's call_next."
)
@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/nowhere", None, 404),
        ("GET", "/items/999", None, 404),
        ("DELETE", "/items/1", None, 405),
        ("POST", "/items", {"name": "", "price": -1}, 422),
        ("POST", "/auth/token", {"username": "demo", "password": "wrong"}, 401),
    ],
    ids=["no-route-404", "item-not-found-handler-404", "405", "422", "401"],
)
def test_secure_headers_on_error_answers(clients, method, path, body, status):
    for scheme in ("http", "https"):
        what = f"{method} {scheme}://testserver{path}"
        response = expect(clients(scheme).request(method, path, json=body), status, what)
        everything(response, scheme, what, path)


@pytest.mark.task(2)
@pytest.mark.points(14)
@pytest.mark.hint(
    "An unhandled exception never comes back through call_next: it is answered by the "
    "@app.exception_handler(Exception) handler, which runs in ServerErrorMiddleware, outside "
    "your middleware. Set the same headers on the JSONResponse that handler returns (one "
    "function used by both), or catch the exception in your middleware and build the 500 there."
)
def test_secure_headers_on_500_from_the_exception_handler(clients, failing_store):
    for scheme in ("http", "https"):
        what = f"GET {scheme}://testserver/items/1 while get_store raises RuntimeError"
        response = expect(clients(scheme).get("/items/1"), 500, what)
        everything(response, scheme, what, "/items/1")


# --- Task 3: HSTS -------------------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "When request.url.scheme == 'https', set Strict-Transport-Security: "
    "max-age=31536000; includeSubDomains (in the middleware, so errors get it too)."
)
def test_hsts_on_every_https_answer(clients):
    client = clients("https")
    for method, path, body, status in SUCCESSES + [
        ("GET", "/nowhere", None, 404),
        ("POST", "/items", {"name": ""}, 422),
    ]:
        what = f"{method} {path}"
        check_hsts(expect(client.request(method, path, json=body), status, what), what)


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "HSTS is for https answers only: check request.url.scheme before you set it, in the "
    "Exception handler's 500 too, and never a header the client writes (X-Forwarded-Proto). "
    "Over plain http a man in the middle could forge or strip it, so browsers ignore it there."
)
def test_no_hsts_over_plain_http(main, clients, overrides):
    client = clients("http")
    # The client writes these headers: the request still came over plain http.
    for name, value in [("X-Forwarded-Proto", "https"), ("Forwarded", "proto=https")]:
        what = f"GET /items/1 with {name}: {value}"
        check_no_hsts(expect(client.get("/items/1", headers={name: value}), 200, what), what)
    for what, response in every_kind_of_answer(client, main, overrides):
        check_no_hsts(response, what)


# --- Task 4: the /docs policy -------------------------------------------------------------------


class PageTags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.scripts = []  # (src or None, nonce or None, inline text)
        self.stylesheets = []
        self._inline = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._inline = [attrs.get("src"), attrs.get("nonce"), ""]
        elif tag == "link" and "stylesheet" in (attrs.get("rel") or "").lower().split():
            self.stylesheets.append(attrs.get("href"))

    def handle_data(self, data):
        if self._inline is not None:
            self._inline[2] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._inline is not None:
            self.scripts.append(tuple(self._inline))
            self._inline = None


SOURCE = re.compile(
    r"(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)"
    r"(?::(?P<port>\d+|\*))?(?P<path>/[^?#]*)?"
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def source_allows(source, url, page):
    """Does one CSP source expression allow fetching `url` from the page at `page`?"""
    s = source.lower()
    target, origin = urlsplit(url), urlsplit(page)
    if s == "*":
        return target.scheme in ("http", "https")
    if s == "'self'":
        return (target.scheme, target.netloc) == (origin.scheme, origin.netloc)
    if re.fullmatch(r"[a-z][a-z0-9+.-]*:", s):
        return target.scheme == s[:-1] or (s == "http:" and target.scheme == "https")
    match = SOURCE.fullmatch(s)
    if not match:
        return False
    scheme = match["scheme"]
    if scheme is None:
        if target.scheme != origin.scheme and not (
            origin.scheme == "http" and target.scheme == "https"
        ):
            return False
    elif scheme != target.scheme and not (scheme == "http" and target.scheme == "https"):
        return False
    host, hostname = match["host"], target.hostname or ""
    if host.startswith("*."):
        if not hostname.endswith(host[1:]):
            return False
    elif host != "*" and host != hostname:
        return False
    port = match["port"]
    if port != "*":
        wanted = int(port) if port else DEFAULT_PORTS.get(target.scheme)
        if (target.port or DEFAULT_PORTS.get(target.scheme)) != wanted:
            return False
    path = match["path"]
    if path:
        if path.endswith("/") and not target.path.startswith(path):
            return False
        if not path.endswith("/") and target.path != path:
            return False
    return True


def list_allows(sources, url, page):
    return any(source_allows(s, url, page) for s in sources)


def inline_allowed(sources, text, nonce):
    hashes, nonces = [], []
    for source in sources:
        match = re.fullmatch(r"'(sha256|sha384|sha512)-([A-Za-z0-9+/_=-]+)'", source, re.I)
        if match:
            hashes.append((match[1].lower(), match[2]))
        elif source.lower().startswith("'nonce-"):
            nonces.append(source[7:-1])
    for algorithm, value in hashes:
        digest = base64.b64encode(hashlib.new(algorithm, text.encode()).digest()).decode()
        if value.replace("-", "+").replace("_", "/") == digest:
            return True
    if nonce and nonce in nonces:
        return True
    return "'unsafe-inline'" in lowered(sources) and not hashes and not nonces


def effective(directives, name):
    return directives.get(name, directives.get("default-src", []))


@pytest.fixture
def docs(clients):
    page = "https://testserver/docs"
    response = expect(clients("https").get("/docs"), 200, "GET /docs")
    policy = one(response, "Content-Security-Policy", "GET /docs")
    tags = PageTags()
    tags.feed(response.text)
    assert tags.scripts and tags.stylesheets, (
        f"GET /docs did not answer Swagger UI's page (no script or stylesheet): {said(response)}"
    )
    return response, policy, csp_directives(policy), tags, page


@pytest.mark.task(4)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Give /docs its own policy, e.g. default-src 'none'; script-src https://cdn.jsdelivr.net "
    "'unsafe-inline'; style-src https://cdn.jsdelivr.net; img-src 'self' data: "
    "https://fastapi.tiangolo.com; connect-src 'self'; frame-ancestors 'none'. Note that a "
    "hash or a nonce in script-src switches 'unsafe-inline' off."
)
def test_docs_csp_lets_swagger_ui_load(docs):
    _, policy, directives, tags, page = docs
    scripts = effective(directives, "script-src")
    for src, nonce, text in tags.scripts:
        if src:
            assert list_allows(scripts, src, page), (
                f"the /docs CSP {policy!r} blocks the script {src}"
            )
        else:
            assert inline_allowed(scripts, text, nonce), (
                f"the /docs CSP {policy!r} blocks the page's inline script (allow it with "
                f"'unsafe-inline' or its sha256 hash)"
            )
    styles = effective(directives, "style-src")
    for href in tags.stylesheets:
        assert list_allows(styles, href, page), (
            f"the /docs CSP {policy!r} blocks the stylesheet {href}"
        )
    assert list_allows(
        effective(directives, "connect-src"), "https://testserver/openapi.json", page
    ), f"the /docs CSP {policy!r} blocks the page's fetch of /openapi.json"


@pytest.mark.task(4)
@pytest.mark.points(14)
@pytest.mark.hint(
    "Name the hosts the page needs (https://cdn.jsdelivr.net, 'self'): a * or a bare https: "
    "lets a script from any host run in the page. Keep frame-ancestors 'none' on /docs too."
)
def test_docs_csp_names_its_hosts_and_forbids_framing(docs):
    _, policy, directives, _, _ = docs
    assert lowered(directives.get("frame-ancestors", [])) == ["'none'"], (
        f"the /docs CSP {policy!r} does not keep frame-ancestors 'none'"
    )
    for name, sources in directives.items():
        for source in lowered(sources):
            if source == "data:" and name == "img-src":
                continue
            assert source != "*" and not re.fullmatch(r"[a-z][a-z0-9+.-]*:", source), (
                f"the /docs CSP {policy!r} allows {source} in {name}: name each host instead"
            )
    assert not list_allows(
        effective(directives, "script-src"), "https://evil.example/x.js", "https://testserver/docs"
    ), f"the /docs CSP {policy!r} lets a script from https://evil.example run"


@pytest.mark.task(4)
@pytest.mark.points(14)
@pytest.mark.hint(
    "Choose the relaxed policy for the path /docs only (request.url.path == '/docs'); every "
    "other path, /openapi.json and paths the app has no route for included, keeps "
    "default-src 'none'; frame-ancestors 'none'."
)
def test_relaxed_csp_is_for_docs_only(clients):
    client = clients("https")
    for method, path, status in [
        ("GET", "/openapi.json", 200),
        ("GET", "/items/1", 200),
        ("GET", "/authors", 200),
        ("GET", "/nowhere", 404),
        ("GET", "/docsearch", 404),
        ("GET", "/api/docs", 404),
    ]:
        what = f"{method} {path}"
        check_strict_csp(expect(client.request(method, path), status, what), what)


@pytest.mark.task(4)
@pytest.mark.hint("The /docs page is an answer like the others: it carries the Task 1 headers.")
def test_docs_carries_the_other_headers(docs):
    response = docs[0]
    check_common(response, "GET /docs")
    check_hsts(response, "GET /docs")


# --- Task 5: Cache-Control under /auth/ ---------------------------------------------------------


@pytest.mark.task(5)
@pytest.mark.points(3)
@pytest.mark.hint(
    "When request.url.path starts with '/auth/', set Cache-Control: no-store, in the "
    "middleware so that the 401, 404 and 422 answers get it as well."
)
def test_no_store_under_auth(clients):
    client = clients("https")
    for method, path, body, status in [
        ("POST", "/auth/token", GOOD_LOGIN, 200),
        ("POST", "/auth/token", BAD_LOGIN, 401),
        ("POST", "/auth/token", {"username": "demo"}, 422),
        ("GET", "/auth/anything-else", None, 404),
    ]:
        what = f"{method} {path} with {body}" if body else f"{method} {path}"
        check_no_store(expect(client.request(method, path, json=body), status, what), what)


@pytest.mark.task(5)
@pytest.mark.hint(
    "Only paths under /auth/ are no-store: test the prefix '/auth/' with its slash, so that "
    "/authors stays cacheable."
)
def test_other_paths_stay_cacheable(clients):
    client = clients("https")
    for path in ["/authors", "/items/1"]:
        response = expect(client.get(path), 200, f"GET {path}")
        header = ", ".join(values(response, "Cache-Control"))
        assert "no-store" not in header.lower(), (
            f"GET {path} answered with Cache-Control {header!r}: only /auth/ is no-store"
        )
