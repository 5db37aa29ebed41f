"""Hidden tests for 5.8.3: WAFMiddleware with the given RULES.

Payloads go to `main.app` (the WAF in block mode in front of the given routes) and to small apps
of the tests' own, whose one route reads the body and answers its length and SHA-256 and counts
its calls, so that the tests see both what was refused and what the app really received. The
payloads that hide behind an encoding, a letter case, a JSON escape or a Content-Type parameter,
the legitimate requests that must pass, and an app that can still read its body weigh as much as
a whole task each.
"""

import asyncio
import hashlib
import json
import logging

import pytest
from fastapi import FastAPI, Request

MB = 1024 * 1024
WAF_LOGGER = "waf"


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "COMMENTS")


@pytest.fixture
def waf(learner):
    return learner.require("waf", "WAFMiddleware", "RULES")


@pytest.fixture
def client(main, app_client):
    return app_client(main.app)


class Echo:
    """An app of the tests' own behind the learner's WAF."""

    def __init__(self, waf, app_client, **options):
        self.calls = 0
        app = FastAPI()

        @app.api_route("/echo", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
        async def echo(request: Request) -> dict:
            self.calls += 1
            body = await request.body()
            return {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}

        app.add_middleware(waf.WAFMiddleware, **options)
        self.app = app
        self.client = app_client(app)


@pytest.fixture
def echo(waf, app_client):
    return lambda **options: Echo(waf, app_client, **options)


def said(response):
    return f"{response.status_code} {response.text[:150]!r}"


def blocked(response, rule, what):
    assert response.status_code == 403, f"{what} answered {said(response)}, expected 403 ({rule})"
    try:
        body = response.json()
    except ValueError:
        body = None
    assert body == {"blocked_by": rule}, (
        f"{what} answered 403 {response.text[:150]!r}, expected {{'blocked_by': {rule!r}}}"
    )


def passed(response, status, what):
    assert response.status_code == status, (
        f"{what} answered {said(response)}, expected {status}: the request is legitimate"
    )


def echoed(response, body, what):
    expected = {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    assert response.status_code == 200 and response.json() == expected, (
        f"{what}: the app answered {said(response)}, expected it to read the {len(body)} bytes "
        f"that were sent"
    )


def short(value, size=60):
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= size else text[:size] + "..."


# --- Task 1: the path and the query -------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "For each query parameter (name and value, decoded as request.query_params does), and for "
    "the path, try every rule of RULES with re.search(pattern, value, re.IGNORECASE); the first "
    "rule that matches answers 403 {'blocked_by': rule_id}."
)
@pytest.mark.parametrize(
    ("rule", "payload"),
    [
        ("sqli-1", "' OR '1'='1"),
        ("sqli-1", "admin' and 1=1 --"),
        ("sqli-2", "1 UNION SELECT password FROM users"),
        ("sqli-2", "1 union/**/select null"),
        ("xss-1", "<script>alert(1)</script>"),
        ("xss-1", "<img src=x onerror=alert(1)>"),
        ("xss-1", "javascript:alert(1)"),
        ("trav-1", "../../etc/passwd"),
        ("trav-1", "..\\..\\windows\\win.ini"),
    ],
)
def test_query_attacks_are_blocked_with_their_rule(client, rule, payload):
    response = client.get("/search", params={"q": payload})
    blocked(response, rule, f"GET /search with q={payload!r}")


@pytest.mark.task(1)
@pytest.mark.points(11)
@pytest.mark.hint(
    "Match the decoded values, never the raw query string: parse it like parse_qsl (which turns "
    "+ into a space), then unquote each name and value again and again until it stops changing "
    "(%253C -> %3C -> <), and compile the rules with re.IGNORECASE."
)
def test_encoded_or_recased_query_is_still_blocked(client):
    for query, rule in [
        ("q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "xss-1"),
        ("q=%3CsCrIpT%3Ealert(1)", "xss-1"),
        ("q=%253Cscript%253Ealert(1)", "xss-1"),
        ("q=%25253Cscript%25253E", "xss-1"),
        ("q=JaVaScRiPt%3Aalert(1)", "xss-1"),
        ("q=1%20UnIoN%20SeLeCt%201", "sqli-2"),
        ("q=1+UNION+ALL+SELECT+1", "sqli-2"),
        ("q=%27%20oR%20%271%27%3D%271", "sqli-1"),
        ("q='+or+'a'='a", "sqli-1"),
        ("file=..%252f..%252fetc%252fpasswd", "trav-1"),
        ("%3Cscript%3E=1", "xss-1"),
        # Parameters without a value: their names are inspected too.
        ("%3Cscript%3E", "xss-1"),
        ("q=tea&1+union+select+1=", "sqli-2"),
    ]:
        blocked(client.get(f"/search?{query}"), rule, f"GET /search?{query}")


@pytest.mark.task(1)
@pytest.mark.points(11)
@pytest.mark.hint(
    "Inspect scope['path'] (the server has decoded it once: /files/..%2f..%2fetc arrives as "
    "/files/../../etc), unquote it again until it stops changing (a path encoded three times "
    "is still encoded after that), and match the rules on it. "
    "scope['raw_path'] is still encoded."
)
def test_path_attacks_are_blocked(client):
    for path, rule in [
        ("/files/..%2f..%2fetc%2fpasswd", "trav-1"),
        ("/files/%2e%2e/%2e%2e/etc/passwd", "trav-1"),
        ("/files/..%255c..%255cwin.ini", "trav-1"),
        ("/files/%3CScript%3Ealert(1).html", "xss-1"),
        # Encoded three times: still encoded once or twice in scope["path"], so only a path
        # unquoted until it stops changing shows the payload.
        ("/files/%25252e%25252e/%25252e%25252e/etc/passwd", "trav-1"),
        ("/files/%2525253Cscript%2525253E.html", "xss-1"),
    ]:
        blocked(client.get(path), rule, f"GET {path}")


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A blocked request is answered by the WAF itself: the app (and so the route that stores "
    "the comment) is never called."
)
def test_blocked_request_never_reaches_the_app(main, client, echo):
    before = len(main.COMMENTS)
    response = client.post("/comments", json={"author": "eve", "text": "<script>alert(1)</script>"})
    blocked(response, "xss-1", "POST /comments with a <script> text")
    assert len(main.COMMENTS) == before, "a blocked POST /comments still stored the comment"
    app = echo()
    blocked(app.client.get("/echo?q=1+union+select+1"), "sqli-2", "GET /echo?q=1+union+select+1")
    assert app.calls == 0, "the app behind the WAF was called for a blocked request"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Try the rules in the order of RULES and report the first one that matches any inspected value."
)
def test_first_matching_rule_in_rules_order_is_reported(client):
    for payload, rule in [
        ("<script>x</script> ' or 1=1", "sqli-1"),
        ("../x 1 union select 1", "sqli-2"),
        ("../<script>", "xss-1"),
    ]:
        response = client.get("/search", params={"q": payload})
        blocked(response, rule, f"GET /search with q={payload!r} (matches several rules)")
    for url, rule in [
        ("/search?a=../etc/passwd&q=' or 'x'='x", "sqli-1"),
        ("/search?%3Cscript%3E=1+union+select+1", "sqli-2"),
        ("/files/..%2fetc%2fpasswd?q=%3Cscript%3E", "xss-1"),
    ]:
        response = client.get(url)
        blocked(response, rule, f"GET {url} (several rules match, each in another place)")


@pytest.mark.task(2)
@pytest.mark.hint(
    "The rules run once the body is read, on the path, the query and the body together: the "
    "first rule of RULES that matches any of them is reported, wherever it matched."
)
def test_a_rule_in_the_body_comes_first_in_rules_order_too(client):
    body = {"author": "a", "text": "' or 'x'='x"}
    response = client.post("/comments?next=../../etc/passwd", json=body)
    blocked(
        response,
        "sqli-1",
        f"POST /comments?next=../../etc/passwd {short(body)} (trav-1 in the query, sqli-1 in "
        "the body)",
    )


# --- Task 2: the body ---------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(11)
@pytest.mark.hint(
    "Parse a JSON body and walk it: every str value and every dict key, inside lists and "
    "nested objects too, then normalise and match each one."
)
def test_json_body_attacks_are_blocked(client):
    for body, rule in [
        (
            {"author": "a", "text": "x", "meta": {"tags": ["ok", "<script>alert(1)</script>"]}},
            "xss-1",
        ),
        ({"author": "a", "text": "x", "' or 'x'='x": 1}, "sqli-1"),
        ({"author": "a", "text": "%3Cscript%3Ealert(1)"}, "xss-1"),
        ([{"author": "a", "text": "../../etc/passwd"}], "trav-1"),
    ]:
        blocked(client.post("/comments", json=body), rule, f"POST /comments {short(body)}")


@pytest.mark.task(2)
@pytest.mark.points(11)
@pytest.mark.hint(
    "Decide by the media type only: take the Content-Type before any ';', strip it and lower "
    "it; application/json or application/...+json is parsed with json.loads (which turns "
    "\\u003c into <), and a body that fails to parse is matched as text. Inspect the whole "
    "body, not its first kilobytes."
)
def test_json_tricks_are_still_blocked(client, echo):
    escaped = b'{"author": "a", "text": "\\u003cscript\\u003ealert(1)"}'
    app = echo()
    for content_type, body, rule in [
        ("application/json", escaped, "xss-1"),
        ("application/json; charset=utf-8", escaped, "xss-1"),
        ("Application/JSON", escaped, "xss-1"),
        ("application/merge-patch+json", escaped, "xss-1"),
        ("application/json", b'{"text": "\\u0027 OR \\u00271\\u0027=\\u00271"}', "sqli-1"),
        (
            "application/json",
            json.dumps({"pad": "a" * 600_000, "text": "1 UNION SELECT 1"}).encode(),
            "sqli-2",
        ),
        ("application/json", b'{"author": "a", "text": "<script>alert(1)', "xss-1"),
    ]:
        what = f"POST /echo ({content_type}) {short(body.decode())}"
        response = app.client.post("/echo", content=body, headers={"Content-Type": content_type})
        blocked(response, rule, what)
    assert app.calls == 0, "the app behind the WAF was called for a blocked JSON body"


@pytest.mark.task(2)
@pytest.mark.points(11)
@pytest.mark.hint(
    "A urlencoded form is parsed like a query string (parse_qsl: + is a space), each field "
    "normalised and matched; any other body (multipart, text/plain, none) is matched as UTF-8 "
    "text, after the same repeated URL-decoding."
)
def test_form_and_other_bodies_are_blocked(client, echo):
    blocked(
        client.post("/contact", data={"name": "x", "message": "<script>alert(1)</script>"}),
        "xss-1",
        "POST /contact with message=<script>",
    )
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for body, rule in [
        ("name=x&message=%253Cscript%253Ealert(1)", "xss-1"),
        ("name=x&message=1+union+select+1", "sqli-2"),
        ("name=x&%27+or+%27a%27%3D%27a=1", "sqli-1"),
        ("name=x&message=hi&%3Cscript%3E", "xss-1"),
    ]:
        blocked(
            client.post("/contact", content=body, headers=form),
            rule,
            f"POST /contact (urlencoded) {body}",
        )
    response = client.post(
        "/contact",
        data={"name": "x", "message": "<script>alert(1)</script>"},
        files={"attachment": ("note.txt", b"hello", "text/plain")},
    )
    blocked(response, "xss-1", "POST /contact (multipart) with message=<script>")
    app = echo()
    for headers in [{"Content-Type": "text/plain"}, {}]:
        response = app.client.post("/echo", content=b"' OR '1'='1", headers=headers)
        blocked(response, "sqli-1", f"POST /echo with ' OR '1'='1 as {headers or 'no type'}")


@pytest.mark.task(2)
@pytest.mark.points(11)
@pytest.mark.hint(
    "If you read the body from `receive`, the app can't read it again: give the app a receive "
    "function that first returns {'type': 'http.request', 'body': <all the bytes>, "
    "'more_body': False}, then delegates to the real one (BaseHTTPMiddleware's "
    "await request.body() does that for you)."
)
def test_the_app_still_reads_the_body(main, client, echo):
    response = client.post("/comments", json={"author": "Ada", "text": "Hello"})
    assert response.status_code == 201 and response.json().get("text") == "Hello", (
        f"POST /comments with a clean comment answered {said(response)}, expected 201"
    )
    assert main.COMMENTS and main.COMMENTS[-1].get("author") == "Ada", (
        "POST /comments answered but the comment was not stored"
    )
    response = client.post("/contact", data={"name": "Ada", "message": "Hi there"})
    assert response.status_code == 200 and response.json() == {
        "name": "Ada",
        "message": "Hi there",
    }, f"POST /contact with a clean form answered {said(response)}"
    for options in [{}, {"mode": "monitor"}]:
        app = echo(**options)
        for body, headers in [
            (json.dumps({"text": "clean " * 1000}).encode(), {"Content-Type": "application/json"}),
            (b"name=Ada&message=hello", {"Content-Type": "application/x-www-form-urlencoded"}),
            (bytes(range(256)) * 64, {"Content-Type": "application/octet-stream"}),
            (b"x" * (200 * 1024), {"Content-Type": "text/plain"}),
        ]:
            what = (
                f"POST /echo ({headers['Content-Type']}, {len(body)} bytes, {options or 'block'})"
            )
            echoed(app.client.post("/echo", content=body, headers=headers), body, what)
        chunks = [b"a" * 1000, b"b" * 1000, b"c" * 1000]
        echoed(
            app.client.post("/echo", content=iter(chunks)),
            b"".join(chunks),
            "POST /echo with a chunked body of three parts",
        )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Count the bytes of the http.request messages as they come and refuse as soon as the total "
    "goes past 1 048 576: a chunked body (from a generator) has no Content-Length to trust. "
    "The size check comes before the rules: an oversized body answers body-size even when the "
    "query matches a rule."
)
def test_body_size_cap(echo):
    app = echo()
    blocked(
        app.client.post("/echo", content=b"x" * (MB + 1)),
        "body-size",
        "POST /echo with 1 MB + 1 byte",
    )
    parts = [b"y" * (256 * 1024)] * 4 + [b"z"]
    blocked(
        app.client.post("/echo", content=iter(parts)),
        "body-size",
        "POST /echo with a chunked body of 1 MB + 1 byte (no Content-Length)",
    )
    assert app.calls == 0, "the app behind the WAF was called for a body over 1 MB"
    blocked(
        app.client.post("/echo?q=%3Cscript%3E", content=b"x" * (MB + 1)),
        "body-size",
        "POST /echo?q=%3Cscript%3E with 1 MB + 1 byte (the size check comes before the rules)",
    )
    body = b"x" * MB
    echoed(app.client.post("/echo", content=body), body, "POST /echo with exactly 1 MB")


def send_in_messages(app, chunks, content_type=b"text/plain"):
    """POST /echo straight into the ASGI app, the body split over several http.request
    messages (more_body on all but the last), as a server hands over a chunked upload."""

    async def run():
        pending = [
            {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
            for i, chunk in enumerate(chunks)
        ]
        answered = asyncio.Event()
        sent = []

        async def receive():
            if pending:
                return pending.pop(0)
            await answered.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered.set()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/echo",
            "raw_path": b"/echo",
            "root_path": "",
            "query_string": b"",
            "headers": [
                (b"host", b"testserver"),
                (b"transfer-encoding", b"chunked"),
                (b"content-type", content_type),
            ],
            "client": ("testclient", 50000),
            "server": ("testserver", 80),
        }
        await asyncio.wait_for(app(scope, receive, send), timeout=10)
        return sent

    sent = asyncio.run(run())
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body)


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "A server hands a chunked body over in several http.request messages: keep reading while "
    "more_body is true, add every message's bytes to one running total (refuse as soon as it "
    "passes 1 048 576), and match the rules on all the bytes joined, not on one message."
)
def test_a_body_in_several_messages_is_counted_and_inspected_whole(echo):
    app = echo()
    status, answer = send_in_messages(app.app, [b"y" * (256 * 1024)] * 4 + [b"z"])
    assert (status, answer) == (403, {"blocked_by": "body-size"}), (
        f"a body of 1 MB + 1 byte in five messages of at most 256 KB answered {status} {answer}, "
        "expected 403 body-size: count every message's bytes together"
    )
    status, answer = send_in_messages(app.app, [b"note: ' OR '1", b"'='1 -- end"])
    assert (status, answer) == (403, {"blocked_by": "sqli-1"}), (
        f"a body whose ' OR '1'='1 is split over two messages answered {status} {answer}, "
        "expected 403 sqli-1: match the rules on the whole body"
    )
    assert app.calls == 0, "the app behind the WAF was called for a blocked body"
    chunks = [b"a" * (256 * 1024)] * 3 + [b"b" * (256 * 1024)]
    body = b"".join(chunks)
    status, answer = send_in_messages(app.app, chunks)
    expected = {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    assert (status, answer) == (200, expected), (
        f"a clean body of exactly 1 MB in four messages answered {status} {answer}, expected "
        "the app to read all of its bytes"
    )


# --- Task 3: methods and the query cap ----------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Compare scope['method'] with the allowlist GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS "
    "before anything else, and answer 403 {'blocked_by': 'method'} for any other."
)
def test_unlisted_methods_are_blocked(client, echo):
    for method in ["TRACE", "PROPFIND", "TRACK", "DEBUG"]:
        blocked(client.request(method, "/search"), "method", f"{method} /search")
    app = echo()
    blocked(app.client.request("TRACE", "/echo"), "method", "TRACE /echo")
    assert app.calls == 0, "the app behind the WAF was called for a TRACE"


@pytest.mark.task(3)
@pytest.mark.hint("The seven listed methods go on to the app, which answers them as it does.")
def test_listed_methods_reach_the_app(client):
    passed(client.get("/search?q=tea"), 200, "GET /search?q=tea")
    for method in ["HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"]:
        response = client.request(method, "/search")
        passed(response, 405, f"{method} /search (a route that takes GET only)")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Measure len(scope['query_string']), the raw bytes as sent (percent-escapes count as three "
    "characters): more than 2048 answers 403 {'blocked_by': 'query-length'}."
)
def test_query_length_cap(client):
    passed(client.get("/search?q=" + "a" * 2046), 200, "GET /search with a 2048-character query")
    blocked(
        client.get("/search?q=" + "a" * 2047),
        "query-length",
        "GET /search with a 2049-character query",
    )
    blocked(
        client.get("/search?q=" + "a%20" * 512),
        "query-length",
        "GET /search with a 2050-character raw query (1026 once decoded)",
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Check in this order and stop at the first refusal: the method, then the raw query's "
    "length, then the body's size, then the rules."
)
def test_checks_run_in_the_stated_order(echo):
    app = echo()
    long_query = "q=" + "a" * 2047
    blocked(
        app.client.request("TRACE", f"/echo?{long_query}"),
        "method",
        "TRACE /echo with a 2049-character query (the method is checked first)",
    )
    blocked(
        app.client.request("TRACE", "/echo", content=b"x" * (MB + 1)),
        "method",
        "TRACE /echo with 1 MB + 1 byte (the method is checked first)",
    )
    blocked(
        app.client.post(f"/echo?{long_query}", content=b"x" * (MB + 1)),
        "query-length",
        "POST /echo with a 2049-character query and 1 MB + 1 byte (the query before the body)",
    )
    assert app.calls == 0, "the app behind the WAF was called for a refused request"


# --- Task 4: monitor mode and the log ------------------------------------------------------------


def waf_warnings(caplog, rule):
    return [
        r
        for r in caplog.records
        if r.name == WAF_LOGGER and r.levelno == logging.WARNING and rule in r.getMessage()
    ]


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Monitor mode only relaxes the rules: the method allowlist, the query cap and the body cap "
    "still answer 403."
)
def test_monitor_mode_still_enforces_the_caps(echo):
    app = echo(mode="monitor")
    blocked(app.client.request("TRACE", "/echo"), "method", "TRACE /echo in monitor mode")
    blocked(
        app.client.get("/echo?q=" + "a" * 2047),
        "query-length",
        "a 2049-character query in monitor mode",
    )
    blocked(
        app.client.post("/echo", content=b"x" * (MB + 1)),
        "body-size",
        "POST /echo with 1 MB + 1 byte in monitor mode",
    )
    assert app.calls == 0, "the app behind the monitor was called for a request over the caps"


@pytest.mark.task(4)
@pytest.mark.hint(
    "Log every refusal too: logging.getLogger('waf').warning('blocked by %s ...', block_id)."
)
def test_refusals_are_logged(client, caplog):
    caplog.set_level(logging.WARNING, logger=WAF_LOGGER)
    blocked(client.get("/search", params={"q": "' OR '1'='1"}), "sqli-1", "GET /search ' OR")
    blocked(client.request("TRACE", "/search"), "method", "TRACE /search")
    blocked(client.get("/search?q=" + "a" * 2047), "query-length", "a 2049-character query")
    blocked(client.post("/comments", content=b"x" * (MB + 1)), "body-size", "a 1 MB + 1 body")
    for rule in ["sqli-1", "method", "query-length", "body-size"]:
        assert waf_warnings(caplog, rule), (
            f"no WARNING record on the 'waf' logger names {rule} after a refusal (records: "
            f"{[(r.name, r.levelname, r.getMessage()) for r in caplog.records]})"
        )


@pytest.mark.task(4)
@pytest.mark.hint("mode defaults to 'block': WAFMiddleware(app) refuses what matches.")
def test_block_is_the_default_mode(echo):
    app = echo()
    blocked(app.client.get("/echo?q=%3Cscript%3E"), "xss-1", "GET /echo?q=%3Cscript%3E")


# --- Task 5: legitimate requests pass ------------------------------------------------------------


@pytest.mark.task(5)
@pytest.mark.points(11)
@pytest.mark.hint(
    "Use the given RULES and nothing else, on the decoded values one at a time: an apostrophe, "
    "the words select or union alone, '..' inside a file name or '<3' are not attacks."
)
def test_legitimate_requests_pass(main, client):
    for q in [
        "O'Brien",
        "Rock 'n' roll or jazz?",
        "select the union rep",
        "50% off",
        "I <3 onions = tasty",
    ]:
        response = client.get("/search", params={"q": q})
        passed(response, 200, f"GET /search with q={q!r}")
        assert response.json().get("q") == q, (
            f"GET /search with q={q!r} answered {said(response)}: the app got another value"
        )
    for path in ["/files/reports/2024..2025.txt", "/files/v1..v2/notes.txt"]:
        passed(client.get(path), 200, f"GET {path}")
    comment = {"author": "Miles O'Brien", "text": "Don't panic: it's 2 < 3, and onions = tasty."}
    response = client.post("/comments", json=comment)
    passed(response, 201, f"POST /comments {comment}")
    assert main.COMMENTS[-1].get("text") == comment["text"], "the comment was stored altered"
    form = {"name": "Siobhán O'Brien", "message": "I'll be there at 5 or 6, 100% sure."}
    response = client.post("/contact", data=form)
    passed(response, 200, f"POST /contact {form}")
    assert response.json() == form, f"POST /contact {form} answered {said(response)}"


# --- Task 4, last in the file: a monitor mode that lets a match through -------------------------
# A WAF that hands the app the `receive` it has already drained makes the app wait forever for
# its body; this test then runs out of time, and being last it costs no other test its points.


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    "With mode='monitor', a rule match calls logging.getLogger('waf').warning(...) with the "
    "rule's id in the message, then hands the request to the app with a receive that replays "
    "the body it read: the original receive has nothing left, and the app would wait forever."
)
def test_monitor_mode_logs_and_lets_through(echo, caplog):
    caplog.set_level(logging.WARNING, logger=WAF_LOGGER)
    app = echo(mode="monitor")
    body = json.dumps({"text": "<script>alert(1)</script>"}).encode()
    response = app.client.post("/echo", content=body, headers={"Content-Type": "application/json"})
    echoed(response, body, "POST /echo with a <script> body in monitor mode")
    assert waf_warnings(caplog, "xss-1"), (
        f"monitor mode let the <script> body through without a WARNING on the 'waf' logger "
        f"naming xss-1 (records: {[(r.name, r.levelname, r.getMessage()) for r in caplog.records]})"
    )
    response = app.client.get("/echo?q=1+union+select+1")
    assert response.status_code == 200, (
        f"GET /echo?q=1+union+select+1 in monitor mode answered {said(response)}, expected 200"
    )
    assert waf_warnings(caplog, "sqli-2"), "monitor mode logged no WARNING naming sqli-2"
    assert app.calls == 2, f"the app behind the monitor was called {app.calls} times, expected 2"
