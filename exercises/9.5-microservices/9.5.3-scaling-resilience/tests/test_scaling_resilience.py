"""Hidden tests for 9.5.3.

The upstream is an `httpx.MockTransport` whose handler answers from a script; time is the kit's
FakeClock (`clock.monotonic`, `clock.sleep`), so backoffs and reset timeouts cost nothing.
"""

import json
import random

import httpx
import pytest


class Upstream:
    """A scripted upstream: each request takes the next answer (the last one repeats). An answer
    is a status code or an httpx exception class to raise."""

    def __init__(self, *answers):
        self.answers = list(answers) or [200]
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, type) and issubclass(answer, Exception):
            raise answer("upstream unreachable", request=request)
        return httpx.Response(answer, json={"attempt": len(self.requests)})

    def script(self, *answers):
        """Answer the next requests with `answers` (the last one repeats)."""
        self.answers = [None] * len(self.requests) + list(answers)

    @property
    def calls(self) -> int:
        return len(self.requests)

    def ids(self) -> list:
        return [r.headers.get("x-request-id") for r in self.requests]


@pytest.fixture
def make(learner, clock):
    """`make(*answers, **options)` -> (module, client, upstream)."""
    resilience = learner.require(
        "resilience", "ResilientClient", "CircuitBreaker", "UpstreamError", "CircuitOpenError"
    )

    def build(*answers, **options):
        upstream = Upstream(*answers)
        client = resilience.ResilientClient(
            httpx.MockTransport(upstream.handler),
            clock=clock.monotonic,
            sleep=clock.sleep,
            **options,
        )
        return resilience, client, upstream

    return build


def fail(method, upstream, clock, what):
    return (
        f"{what}: {method} made {upstream.calls} request(s) and slept {clock.sleeps}"
        f" (the upstream's script: {[getattr(a, '__name__', a) for a in upstream.answers]})"
    )


def open_breaker(client, upstream, resilience, failures=5):
    for _ in range(failures):
        with pytest.raises(resilience.UpstreamError):
            client.post("/orders", json={})


# --- Task 1: timeouts and the request ID ---------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.parametrize("options,seconds", [({}, 2.0), ({"timeout": 0.5}, 0.5)])
def test_every_request_carries_the_timeout(make, options, seconds):
    _, client, upstream = make(200, **options)
    client.get("/items/1")
    timeout = upstream.requests[0].extensions.get("timeout")
    expected = {"connect": seconds, "read": seconds, "write": seconds, "pool": seconds}
    assert timeout == expected, (
        f"with {options or 'the default timeout'}, the request went out with the timeouts"
        f" {timeout}, expected {expected}"
    )


@pytest.mark.task(1)
def test_a_success_is_returned_from_the_first_attempt(make, clock):
    _, client, upstream = make(200)
    response = client.post("/orders", json={"sku": "A1"})
    assert isinstance(response, httpx.Response), f"post returned {response!r}, not a Response"
    assert response.status_code == 200, f"post returned a {response.status_code}"
    assert upstream.calls == 1, fail("POST", upstream, clock, "a 200 was not returned at once")
    sent = upstream.requests[0]
    assert (sent.method, sent.url.host, sent.url.path) == ("POST", "upstream", "/orders"), (
        f"the request went to {sent.method} {sent.url}, expected POST http://upstream/orders"
    )
    assert sent.content and json.loads(sent.content) == {"sku": "A1"}, (
        f"post(json={{'sku': 'A1'}}) sent the body {sent.content!r}"
    )


@pytest.mark.task(1)
def test_the_callers_headers_are_sent_with_the_request_id(make):
    _, client, upstream = make(200)
    client.get("/items/1", headers={"Accept": "text/csv", "X-Tenant": "acme"}, request_id="r-1")
    sent = upstream.requests[0].headers
    got = {name: sent.get(name) for name in ["accept", "x-tenant", "x-request-id"]}
    assert got == {"accept": "text/csv", "x-tenant": "acme", "x-request-id": "r-1"}, (
        f"get(headers={{'Accept': 'text/csv', 'X-Tenant': 'acme'}}, request_id='r-1') sent {got}"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("status", [404, 409, 302])
def test_a_status_below_500_is_returned_without_retry(make, clock, status):
    _, client, upstream = make(status)
    response = client.get("/items/1")
    assert response.status_code == status, f"GET returned {response.status_code}, not {status}"
    assert upstream.calls == 1 and clock.sleeps == [], fail(
        "GET", upstream, clock, f"a {status} is not a failure and must not be retried"
    )


@pytest.mark.task(1)
def test_the_given_request_id_is_sent(make):
    _, client, upstream = make(200)
    client.request("GET", "/items/1", request_id="req-7f3a")
    client.get("/items/2", request_id="req-99")
    assert upstream.ids() == ["req-7f3a", "req-99"], (
        f"the upstream got the X-Request-ID headers {upstream.ids()},"
        " expected ['req-7f3a', 'req-99']"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Choose the ID once per call, before the retry loop: `request_id or uuid.uuid4().hex`. "
    "Every attempt of that call sends it; the next call chooses a new one."
)
def test_a_new_request_id_per_call_the_same_on_every_retry(make, clock):
    _, client, upstream = make(503, 503, 200)
    client.get("/items/1")
    first = upstream.ids()
    assert len(first) == 3, fail("GET", upstream, clock, "expected 3 attempts (503, 503, 200)")
    assert first[0] and len(set(first)) == 1, (
        f"the three attempts of one call sent the X-Request-ID headers {first}:"
        " expected one ID, the same on every retry"
    )
    upstream.script(200)
    client.get("/items/1")
    client.get("/items/1")
    later = upstream.ids()[3:]
    assert all(later) and len({first[0], *later}) == 3, (
        f"three calls without a request_id sent the IDs {[first[0], *later]}:"
        " expected a new ID for each call"
    )


@pytest.mark.task(1)
def test_the_request_id_survives_retries(make, clock):
    _, client, upstream = make(httpx.ConnectError, 500, 200)
    client.request("GET", "/items/1", request_id="req-abc")
    assert upstream.ids() == ["req-abc"] * 3, (
        f"the attempts of one call with request_id='req-abc' sent {upstream.ids()}"
    )


# --- Task 2: retries with exponential backoff ----------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("failure", [503, 500, httpx.ConnectError, httpx.ReadTimeout])
def test_get_is_retried_three_times_then_raises(make, clock, failure):
    resilience, client, upstream = make(failure)
    with pytest.raises(resilience.UpstreamError):
        client.get("/items/1")
    assert upstream.calls == 4, fail("GET", upstream, clock, "expected 1 attempt + 3 retries")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Wait `backoff * 2 ** (n - 1)` before retry n, through the injected `sleep`: 0.1, 0.2, 0.4. "
    "No wait before the first attempt, none after the last."
)
def test_backoff_waits_are_exponential(make, clock):
    resilience, client, upstream = make(503)
    with pytest.raises(resilience.UpstreamError):
        client.get("/items/1")
    assert clock.sleeps == pytest.approx([0.1, 0.2, 0.4]), (
        f"between the 4 attempts the client slept {clock.sleeps} through the injected sleep,"
        " expected [0.1, 0.2, 0.4]"
    )


@pytest.mark.task(2)
def test_backoff_follows_the_options(make, clock):
    resilience, client, upstream = make(503, retries=2, backoff=0.5)
    with pytest.raises(resilience.UpstreamError):
        client.get("/items/1")
    assert upstream.calls == 3 and clock.sleeps == pytest.approx([0.5, 1.0]), fail(
        "GET", upstream, clock, "with retries=2, backoff=0.5 expected 3 attempts, sleeps [0.5, 1.0]"
    )


@pytest.mark.task(2)
def test_jitter_adds_a_random_part_to_each_wait(make, clock):
    resilience, client, upstream = make(503, jitter=0.05)
    with pytest.raises(resilience.UpstreamError):
        client.get("/items/1")
    sleeps = clock.sleeps
    assert len(sleeps) == 3, f"with jitter=0.05 the client slept {sleeps}, expected 3 waits"
    within = all(base <= s <= base + 0.05 + 1e-9 for base, s in zip([0.1, 0.2, 0.4], sleeps))
    assert within and sum(sleeps) > 0.7 + 1e-9, (
        f"with jitter=0.05 the waits were {sleeps}: each must be its backoff"
        " (0.1, 0.2, 0.4) plus a random part between 0 and 0.05"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "The jitter is added to the backoff: `backoff * 2 ** (n - 1) + random.uniform(0, jitter)`,"
    " never multiplied with it."
)
def test_jitter_is_added_not_multiplied(make, clock, monkeypatch):
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    resilience, client, upstream = make(503, jitter=0.5, retries=2, backoff=2.0)
    with pytest.raises(resilience.UpstreamError):
        client.get("/items/1")
    sleeps = clock.sleeps
    within = len(sleeps) == 2 and all(
        base <= s <= base + 0.5 + 1e-9 for base, s in zip([2.0, 4.0], sleeps)
    )
    assert within, (
        f"with backoff=2.0, jitter=0.5 and random.uniform(0, 0.5) returning 0.5, the waits were"
        f" {sleeps}: expected [2.5, 4.5], each backoff plus at most 0.5"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("method", ["PUT", "DELETE", "HEAD", "OPTIONS"])
def test_other_idempotent_methods_are_retried(make, clock, method):
    resilience, client, upstream = make(503)
    with pytest.raises(resilience.UpstreamError):
        client.request(method, "/items/1")
    assert upstream.calls == 4, fail(method, upstream, clock, f"{method} is idempotent")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A retried POST can run twice on the upstream (two orders, two payments). Retry only "
    "GET, HEAD, OPTIONS, PUT and DELETE; POST and PATCH get exactly one attempt."
)
@pytest.mark.parametrize(
    "method,failure",
    [("POST", 503), ("POST", httpx.ConnectError), ("PATCH", 500)],
)
def test_post_and_patch_are_never_retried(make, clock, method, failure):
    resilience, client, upstream = make(failure)
    with pytest.raises(resilience.UpstreamError):
        client.request(method, "/orders", json={})
    assert upstream.calls == 1 and clock.sleeps == [], fail(
        method, upstream, clock, "a non-idempotent request must make exactly one attempt"
    )


@pytest.mark.task(2)
def test_a_successful_retry_is_returned(make, clock):
    _, client, upstream = make(503, httpx.ConnectError, 200)
    response = client.get("/items/1")
    assert response.status_code == 200 and response.json() == {"attempt": 3}, (
        f"GET returned {response.status_code} {response.text}, expected the third attempt's 200"
    )
    assert clock.sleeps == pytest.approx([0.1, 0.2]), fail("GET", upstream, clock, "2 retries")


# --- Task 3: the circuit breaker ---------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("failure", [503, httpx.ConnectError])
def test_five_failures_open_the_breaker(make, clock, failure):
    resilience, client, upstream = make(failure)
    open_breaker(client, upstream, resilience, failures=4)
    assert client.breaker.state == "closed", (
        f"after 4 failures the breaker is {client.breaker.state!r}, expected 'closed'"
    )
    open_breaker(client, upstream, resilience, failures=1)
    assert client.breaker.state == "open", (
        f"after 5 failures in a row the breaker is {client.breaker.state!r}, expected 'open'"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Ask the breaker before every attempt, and raise CircuitOpenError while it is open: the "
    "point is to stop sending traffic (and waiting on retries) to an upstream that is down."
)
def test_an_open_breaker_fails_fast_without_calling_the_upstream(make, clock):
    resilience, client, upstream = make(503)
    open_breaker(client, upstream, resilience)
    calls = upstream.calls
    upstream.script(200)
    for method in ["POST", "GET"]:
        with pytest.raises(resilience.CircuitOpenError):
            client.request(method, "/items/1")
    assert upstream.calls == calls, (
        f"with the breaker open, a POST and a GET still reached the upstream"
        f" ({upstream.calls - calls} request(s))"
    )
    assert clock.sleeps == [], f"with the breaker open, the client slept {clock.sleeps}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Every attempt counts, retries included: record the failure inside the retry loop, and ask "
    "the breaker again before the backoff of the next retry: when it is open, raise "
    "CircuitOpenError without sleeping."
)
def test_the_breaker_opens_in_the_middle_of_retries(make, clock):
    resilience, client, upstream = make(503, failure_threshold=2)
    with pytest.raises(resilience.CircuitOpenError):
        client.get("/items/1")
    assert upstream.calls == 2, fail(
        "GET", upstream, clock, "with failure_threshold=2 the third attempt must find it open"
    )
    assert clock.sleeps == pytest.approx([0.1]), fail(
        "GET",
        upstream,
        clock,
        "with failure_threshold=2 the second failure opens the breaker: expected the one wait"
        " [0.1] before the second attempt, and no backoff before finding the breaker open",
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The breaker counts failures *in a row*: any response below 500, a 4xx as well as a 2xx, "
    "sets the count back to 0."
)
@pytest.mark.parametrize("status", [200, 404])
def test_a_response_below_500_resets_the_failure_count(make, clock, status):
    resilience, client, upstream = make(503, 503, 503, 503, status, 503)
    open_breaker(client, upstream, resilience, failures=4)
    answered = client.post("/orders", json={}).status_code
    assert answered == status, f"the upstream answered {status}, the client returned {answered}"
    open_breaker(client, upstream, resilience, failures=4)
    assert client.breaker.state == "closed", (
        f"4 failures, a {status}, then 4 failures left the breaker {client.breaker.state!r},"
        f" expected 'closed' (the {status} resets the count)"
    )


@pytest.mark.task(3)
def test_client_errors_do_not_open_the_breaker(make, clock):
    resilience, client, upstream = make(404)
    for _ in range(8):
        client.get("/items/missing")
    assert client.breaker.state == "closed" and upstream.calls == 8, (
        f"after 8 answers of 404 the breaker is {client.breaker.state!r}"
        f" and the upstream got {upstream.calls} requests: a 4xx is not a failure"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compare the injected `clock()` with the time the breaker opened: at `reset_timeout` "
    "seconds it is half_open and lets one attempt through; a success closes it."
)
def test_a_successful_probe_after_reset_timeout_closes_the_breaker(make, clock):
    resilience, client, upstream = make(503)
    open_breaker(client, upstream, resilience)
    clock.advance(29.9)
    with pytest.raises(resilience.CircuitOpenError):
        client.post("/orders", json={})
    assert client.breaker.state == "open", (
        f"29.9 s after opening, the breaker is {client.breaker.state!r}, expected 'open'"
    )
    clock.advance(0.1)
    assert client.breaker.state == "half_open", (
        f"30 s after opening, the breaker is {client.breaker.state!r}, expected 'half_open'"
    )
    upstream.script(200)
    calls = upstream.calls
    response = client.post("/orders", json={})
    assert response.status_code == 200 and upstream.calls == calls + 1, (
        f"the half-open probe answered {response.status_code} after"
        f" {upstream.calls - calls} request(s)"
    )
    assert client.breaker.state == "closed", (
        f"after a successful probe the breaker is {client.breaker.state!r}, expected 'closed'"
    )
    upstream.script(503)
    with pytest.raises(resilience.UpstreamError):
        client.post("/orders", json={})
    assert client.breaker.state == "closed", (
        f"a successful probe, then one failure, left the breaker {client.breaker.state!r}:"
        " the probe's success sets the count back to 0, so one failure must not reopen it"
    )
    upstream.script(200)
    for _ in range(3):
        assert client.get("/items/1").status_code == 200


@pytest.mark.task(3)
@pytest.mark.hint(
    "The breaker opens at the `clock()` of the failure that reaches `failure_threshold`, not of"
    " the first failure of the streak: the backoff sleeps move the clock in between."
)
def test_the_breaker_opens_at_the_failure_that_reaches_the_threshold(make, clock):
    resilience, client, upstream = make(503, failure_threshold=4, reset_timeout=10, backoff=0.5)
    with pytest.raises(resilience.UpstreamError):
        client.get("/items/1")
    assert clock.sleeps == pytest.approx([0.5, 1.0, 2.0]) and upstream.calls == 4, fail(
        "GET", upstream, clock, "expected 4 attempts with the waits [0.5, 1.0, 2.0]"
    )
    assert client.breaker.state == "open", (
        f"after 4 failures with failure_threshold=4 the breaker is {client.breaker.state!r}"
    )
    clock.advance(9.5)
    assert client.breaker.state == "open", (
        f"the 4th failure came 3.5 s after the first; 9.5 s after that failure (13 s after the"
        f" first) the breaker is {client.breaker.state!r}, expected 'open': it opened at the"
        " failure that reached failure_threshold, and reset_timeout=10 counts from there"
    )
    clock.advance(0.5)
    assert client.breaker.state == "half_open", (
        f"10 s after the failure that opened it the breaker is {client.breaker.state!r},"
        " expected 'half_open'"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A failed probe opens the breaker again and restarts the timer at the current clock(): "
    "the next probe is a full reset_timeout later."
)
def test_a_failed_probe_opens_the_breaker_for_another_full_timeout(make, clock):
    resilience, client, upstream = make(503)
    open_breaker(client, upstream, resilience)
    clock.advance(30)
    calls = upstream.calls
    with pytest.raises(resilience.UpstreamError):
        client.post("/orders", json={})
    assert upstream.calls == calls + 1, "the half-open breaker did not let the probe through"
    assert client.breaker.state == "open", (
        f"after a failed probe the breaker is {client.breaker.state!r}, expected 'open'"
    )
    clock.advance(29)
    with pytest.raises(resilience.CircuitOpenError):
        client.post("/orders", json={})
    clock.advance(1)
    upstream.script(200)
    assert client.post("/orders", json={}).status_code == 200
    assert client.breaker.state == "closed"


@pytest.mark.task(3)
def test_threshold_and_reset_timeout_follow_the_options(make, clock):
    resilience, client, upstream = make(503, failure_threshold=2, reset_timeout=10)
    open_breaker(client, upstream, resilience, failures=2)
    assert client.breaker.state == "open", (
        f"with failure_threshold=2, two failures left the breaker {client.breaker.state!r}"
    )
    clock.advance(10)
    assert client.breaker.state == "half_open", (
        f"with reset_timeout=10, 10 s later the breaker is {client.breaker.state!r}"
    )
