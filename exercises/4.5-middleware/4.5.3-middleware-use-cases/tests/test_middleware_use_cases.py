"""Hidden tests for 4.5.3: CORS, gzip, trusted hosts and the request body limit, all observed
through one TestClient on the learner's app (no test changes the app)."""

import pytest

from grader.testing import client_for

FRONTEND = "https://app.example.com"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def client(learner):
    main = learner.require("main", "app")
    with client_for(main.app) as client:
        yield client


def preflight(client, origin, method):
    return client.options(
        "/upload", headers={"Origin": origin, "Access-Control-Request-Method": method}
    )


def acao(response):
    return response.headers.get("access-control-allow-origin")


def chunks(total, size=64 * 1024):
    """A body without Content-Length: httpx sends a generator chunked."""
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b"x" * piece


def check_status(response, what, status):
    assert response.status_code == status, (
        f"{what} answered {response.status_code}, expected {status}: {response.text[:200]}"
    )


# --- Task 1: CORS --------------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "app.add_middleware(CORSMiddleware, allow_origins=['https://app.example.com'], "
    "allow_credentials=True, allow_methods=['GET', 'POST']). The origin is scheme + host, "
    "with no trailing slash."
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_preflight_from_the_frontend_is_allowed(client, method):
    response = preflight(client, FRONTEND, method)
    what = f"a preflight from {FRONTEND} for {method}"
    assert 200 <= response.status_code < 300, (
        f"{what} answered {response.status_code}: {response.text[:200]}"
    )
    assert acao(response) == FRONTEND, (
        f"{what} answered Access-Control-Allow-Origin {acao(response)!r}, expected {FRONTEND!r}"
    )
    credentials = response.headers.get("access-control-allow-credentials")
    assert credentials == "true", (
        f"{what} answered Access-Control-Allow-Credentials {credentials!r}, expected 'true'"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "List exactly one origin. allow_origins=['*'] (or a regex that is too wide) lets every "
    "site's pages read your answers, and with credentials CORSMiddleware then echoes any "
    "origin back."
)
@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.com",
        "http://app.example.com",
        "https://app.example.com.evil.com",
        "https://attacker.test",
    ],
)
def test_preflight_from_another_origin_gets_no_allow_origin(client, origin):
    response = preflight(client, origin, "POST")
    assert acao(response) is None, (
        f"a preflight from {origin} answered {response.status_code} with "
        f"Access-Control-Allow-Origin {acao(response)!r}, expected no such header"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "allow_methods=['GET', 'POST'] only; ['*'] allows every method. CORSMiddleware answers a "
    "preflight for a method it does not allow with 400."
)
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_preflight_for_another_method_is_refused(client, method):
    response = preflight(client, FRONTEND, method)
    assert not 200 <= response.status_code < 300, (
        f"a preflight from {FRONTEND} for {method} answered {response.status_code} "
        f"(Access-Control-Allow-Methods: "
        f"{response.headers.get('access-control-allow-methods')!r}), expected a refusal"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "CORSMiddleware adds Access-Control-Allow-Origin to ordinary responses too, for an "
    "allowed Origin only; with allow_credentials=True it also adds "
    "Access-Control-Allow-Credentials: true."
)
def test_simple_get_from_the_frontend_and_from_elsewhere(client):
    response = client.get("/report?size=5", headers={"Origin": FRONTEND})
    check_status(response, f"GET /report?size=5 from {FRONTEND}", 200)
    assert acao(response) == FRONTEND, (
        f"GET /report from {FRONTEND} answered Access-Control-Allow-Origin "
        f"{acao(response)!r}, expected {FRONTEND!r}"
    )
    credentials = response.headers.get("access-control-allow-credentials")
    assert credentials == "true", (
        f"GET /report from {FRONTEND} answered Access-Control-Allow-Credentials "
        f"{credentials!r}, expected 'true'"
    )
    other = client.get("/report?size=5", headers={"Origin": "https://evil.example.com"})
    assert acao(other) is None, (
        "GET /report from https://evil.example.com answered Access-Control-Allow-Origin "
        f"{acao(other)!r}, expected no such header"
    )


# --- Task 2: gzip --------------------------------------------------------------------------


def report(client, size, encoding):
    response = client.get(f"/report?size={size}", headers={"Accept-Encoding": encoding})
    check_status(response, f"GET /report?size={size}", 200)
    assert response.text == "r" * size, (
        f"GET /report?size={size} (Accept-Encoding: {encoding}) did not decode to the "
        f"{size}-byte report: got {len(response.content)} bytes"
    )
    return response.headers.get("content-encoding")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "app.add_middleware(GZipMiddleware, minimum_size=1000): responses of minimum_size bytes "
    "or more are compressed. 1000 bytes is not 1 KiB: minimum_size=1024 leaves a 1000-byte "
    "answer uncompressed."
)
@pytest.mark.parametrize("size", [1000, 1001, 20000])
def test_large_response_is_gzipped(client, size):
    encoding = report(client, size, "gzip")
    assert encoding == "gzip", (
        f"GET /report?size={size} with Accept-Encoding: gzip answered Content-Encoding "
        f"{encoding!r}, expected 'gzip'"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Two causes compress a small answer. A minimum_size under 1000 (the default is 500): set "
    "minimum_size=1000. Or GZipMiddleware sits outside an @app.middleware('http') function or "
    "a BaseHTTPMiddleware (added after it): it then sees a stream and compresses even tiny "
    "answers (Kludex/starlette#2003). Add GZipMiddleware before them, so that it sits inside."
)
@pytest.mark.parametrize("size", [10, 500, 999])
def test_small_response_is_not_gzipped(client, size):
    encoding = report(client, size, "gzip")
    if size < 100:  # no minimum_size near 1000 compresses this: the order does
        cause = (
            "Even a tiny answer is compressed: GZipMiddleware added after an "
            "@app.middleware('http') function or a BaseHTTPMiddleware sits outside it and "
            "compresses everything; add GZipMiddleware before them."
        )
    else:
        cause = "Is minimum_size under 1000? (its default is 500)"
    assert encoding is None, (
        f"GET /report?size={size} with Accept-Encoding: gzip answered Content-Encoding "
        f"{encoding!r}, expected no compression under 1000 bytes.\n{cause}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Only compress for a client whose Accept-Encoding includes gzip.")
def test_no_gzip_for_a_client_that_does_not_accept_it(client):
    encoding = report(client, 20000, "identity")
    assert encoding is None, (
        "GET /report?size=20000 with Accept-Encoding: identity answered Content-Encoding "
        f"{encoding!r}, expected none"
    )


# --- Task 3: trusted hosts -----------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint(
    "TrustedHostMiddleware(allowed_hosts=['api.example.com', 'testserver']): the test client "
    "sends Host: testserver."
)
@pytest.mark.parametrize("host", ["api.example.com", "testserver"])
def test_served_hosts_are_answered(client, host):
    response = client.get("/report?size=3", headers={"Host": host})
    check_status(response, f"GET /report with Host: {host}", 200)


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "List the exact hosts: a wildcard such as '*.example.com' or '*' also lets other hosts "
    "through. TrustedHostMiddleware answers a refused host with 400."
)
@pytest.mark.parametrize(
    "host",
    [
        "evil.com",
        "admin.example.com",
        "api.example.com.evil.com",
        "example.com",
        "localhost",
        "127.0.0.1",
    ],
)
def test_other_hosts_are_400(client, host):
    response = client.get("/report?size=3", headers={"Host": host})
    check_status(response, f"GET /report with Host: {host}", 400)


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "CORSMiddleware answers a preflight itself, so a TrustedHostMiddleware inside it never "
    "sees one. The middleware added last is the outermost: add TrustedHostMiddleware after "
    "CORSMiddleware."
)
@pytest.mark.parametrize("host", ["evil.com", "localhost"])
def test_preflight_to_another_host_is_400(client, host):
    response = client.options(
        "/upload",
        headers={"Host": host, "Origin": FRONTEND, "Access-Control-Request-Method": "POST"},
    )
    check_status(response, f"a preflight from {FRONTEND} with Host: {host}", 400)
    assert acao(response) is None, (
        f"a preflight with Host: {host} was answered with Access-Control-Allow-Origin: "
        f"{acao(response)}"
    )


# --- Task 4: request body limit ------------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "1 MiB is 1024 * 1024 = 1,048,576 bytes, and a body of exactly that size is allowed: "
    "refuse only a body *larger* than the limit."
)
def test_body_of_exactly_one_mib_is_accepted(client):
    response = client.post("/upload", content=b"x" * MIB)
    check_status(response, "POST /upload with a body of 1,048,576 bytes", 200)
    assert response.json() == {"size": MIB}, f"POST /upload answered {response.json()}"


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    "FastAPI(max_body_size=1024 * 1024) answers 413 for a larger body. 1 MiB is 1,048,576 "
    "bytes, not 1,000,000."
)
@pytest.mark.parametrize("size", [MIB + 1, 2 * MIB])
def test_body_over_one_mib_is_413(client, size):
    response = client.post("/upload", content=b"x" * size)
    check_status(response, f"POST /upload with a body of {size:,} bytes", 413)


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The limit belongs to the whole app: FastAPI(max_body_size=...) or a middleware, not a "
    "max_body_size on one route. A Content-Length over the limit is a 413 whatever the path."
)
@pytest.mark.parametrize("path", ["/report", "/no/such/path"])
def test_declared_oversize_body_is_413_on_every_path(client, path):
    response = client.post(path, content=b"x" * (2 * MIB))
    check_status(response, f"POST {path} with a body of 2,097,152 bytes", 413)


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The limit holds for every method: a GET or DELETE can carry a body too. Check "
    "Content-Length (and count the body) whatever the request's method."
)
@pytest.mark.parametrize(("method", "path"), [("GET", "/report"), ("DELETE", "/upload")])
def test_declared_oversize_body_is_413_for_any_method(client, method, path):
    response = client.request(method, path, content=b"x" * (2 * MIB))
    check_status(response, f"{method} {path} with a body of 2,097,152 bytes", 413)


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A chunked body has no Content-Length, so checking the header is not enough: count the "
    "bytes of each http.request message as the app receives them (FastAPI's max_body_size "
    "does that)."
)
def test_chunked_oversize_body_is_413(client):
    response = client.post("/upload", content=chunks(2 * MIB))
    check_status(response, "POST /upload with a chunked body of 2,097,152 bytes", 413)


@pytest.mark.task(4)
def test_small_chunked_body_is_accepted(client):
    response = client.post("/upload", content=chunks(3000, size=1000))
    check_status(response, "POST /upload with a chunked body of 3,000 bytes", 200)
    assert response.json() == {"size": 3000}, f"POST /upload answered {response.json()}"
