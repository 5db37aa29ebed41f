"""Hidden tests for 5.6.1: slowapi limits per client and per route, on a moving window.

Time: `time.time` is replaced by the kit's fake clock for every test (limits' memory storage and
slowapi read it there); it starts at a whole minute and only moves when a test advances it.
The in-memory storage's expiry timer (a thread on real time) is kept from starting.
The learner's limiter is reset before and after each test. Clients from other IP addresses are
TestClients with `client=(ip, port)`."""

import threading
import time
from contextlib import ExitStack

import pytest

from grader.testing import looped_client

SEARCH = {"q": "kettle", "results": ["red kettle", "blue kettle"]}
PROBE = "/rate-limit-probe"
PASSWORD = "correct horse battery staple"
IP_A = ("203.0.113.10", 50000)
IP_B = ("198.51.100.20", 50000)
IP_C = ("192.0.2.30", 50000)
SPOOFING = [
    {"X-Forwarded-For": "10.0.0.{n}"},
    {"X_FORWARDED_FOR": "10.1.0.{n}"},
    {"X-Real-IP": "10.2.0.{n}"},
    {"Forwarded": "for=10.3.0.{n}"},
    {"X-Forwarded-For": "10.4.0.{n}", "X-Real-IP": "10.5.0.{n}"},
    {"X-Forwarded-For": "10.6.0.{n}, 10.7.0.{n}"},
]


class NoExpiryTimer:
    """Stands in for the expiry timer of limits' in-memory storage: it looks alive, so the
    storage starts none. That timer is a thread that runs 0.01 s of real time after a request
    and drops the entries exactly 60 s old, which the moving window itself still counts: with
    the fake clock at a whole second, whether it ran between `clock.advance` and the next
    request depended on the machine's load. Without it, every window is read from the
    entries' times only, as the storage reads them for each request."""

    def is_alive(self):
        return True

    def cancel(self):
        pass


def stop_expiry_timer(limiter, monkeypatch):
    storage = getattr(limiter, "_storage", None)
    timer = getattr(storage, "timer", None)
    if isinstance(timer, threading.Timer):
        timer.cancel()
        if timer.is_alive():
            timer.join()
        monkeypatch.setattr(storage, "timer", NoExpiryTimer())


@pytest.fixture
def main(learner, clock, monkeypatch):
    main = learner.require("main", "app", "limiter", "API_KEYS")
    monkeypatch.setattr(time, "time", clock.time)
    stop_expiry_timer(main.limiter, monkeypatch)
    main.limiter.reset()
    yield main
    main.limiter.reset()


@pytest.fixture(scope="module")
def opened():
    """`opened(app, address)`: one client (one event loop) per app and connecting address for
    the whole module, instead of a client and a loop per test: the limiter is reset before
    each test, and the app sets no cookie a later test could send back."""
    made = {}
    with ExitStack() as stack:

        def get(app, address=None):
            key = (id(app), address)
            if key not in made:
                options = {} if address is None else {"client": address}
                client = stack.enter_context(looped_client(app, **options))
                made[key] = (app, client)
            return made[key][1]

        yield get


@pytest.fixture
def client(main, opened):
    return opened(main.app)


@pytest.fixture
def from_ip(main, opened):
    """from_ip(("203.0.113.10", 50000)) -> a TestClient whose connection comes from that IP."""
    return lambda address: opened(main.app, address)


@pytest.fixture
def keys(main):
    assert len(main.API_KEYS) >= 2, "API_KEYS has fewer than two keys: keep the starter's"
    return list(main.API_KEYS)[:2]


def short(text, size=160):
    return text if len(text) <= size else text[:size] + "..."


def statuses(client, n, path="/search", method="GET", **options):
    if method == "POST":
        options.setdefault("json", {"username": "ada", "password": "wrong"})
    return [client.request(method, path, **options).status_code for _ in range(n)]


def use_up(client, n=5, what="the client", path="/search", **options):
    """n requests that must all pass, then one that must be refused."""
    got = statuses(client, n, path, **options)
    assert got == [200] * n, f"{n} requests to {path} by {what} within a minute answered {got}"
    over = client.get(path, **options)
    assert over.status_code == 429, (
        f"request {n + 1} to {path} by {what} within a minute answered {over.status_code}, "
        f"not 429: {short(over.text)}"
    )
    return over


def retry_after(response, what):
    value = response.headers.get("retry-after")
    assert value is not None, f"the 429 answer of {what} has no Retry-After header"
    assert value.strip().isdigit(), (
        f"the 429 answer of {what} has Retry-After: {value!r}, not a whole number of seconds"
    )
    return int(value)


# --- Task 1: slowapi wired in, the search limited -----------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint("`app.state.limiter = limiter`: slowapi's decorator and handler look there.")
def test_limiter_is_on_app_state(main):
    on_state = getattr(main.app.state, "limiter", None)
    assert on_state is main.limiter, (
        f"app.state.limiter is {on_state!r}, not the module's `limiter`"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "A limited endpoint takes `request: Request`, and with headers_enabled=True also "
    "`response: Response` when it returns a dict; put `@limiter.limit(...)` under `@app.get`."
)
def test_search_still_answers_its_results(client):
    response = client.get("/search", params={"q": "kettle"})
    assert response.status_code == 200, (
        f"GET /search?q=kettle answered {response.status_code}: {short(response.text)}"
    )
    assert response.json() == SEARCH, f"GET /search?q=kettle answered {short(response.text)}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`@limiter.limit("5/minute")` placed under `@app.get("/search")`: above it, FastAPI has '
    "already registered the unlimited function."
)
def test_sixth_search_within_a_minute_is_429(client):
    use_up(client, what="one client")


@pytest.mark.task(1)
@pytest.mark.hint(
    "Register `app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)` "
    "and build the Limiter with `headers_enabled=True`: without them the 429 has no "
    "Retry-After."
)
def test_429_carries_retry_after(client):
    over = use_up(client, what="one client")
    seconds = retry_after(over, "GET /search")
    assert 1 <= seconds <= 61, (
        f"the 429 of GET /search, 0 s after the first search, has Retry-After: {seconds}"
    )


# --- Task 2: one budget per client (security) ---------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Key requests by the connection's address (`get_remote_address`), never by something all "
    "clients share: one IP using up its searches must leave another IP's budget whole."
)
def test_a_client_over_its_limit_does_not_block_another_ip(from_ip):
    first, second = from_ip(IP_A), from_ip(IP_B)
    use_up(first, what=f"the IP {IP_A[0]}")
    got = statuses(second, 5)
    assert got == [200] * 5, (
        f"after {IP_A[0]} used up its searches, 5 searches from {IP_B[0]} answered {got}: "
        "one client blocked another"
    )
    assert first.get("/search").status_code == 429, (
        f"{IP_A[0]} got its searches back once {IP_B[0]} had searched"
    )


@pytest.mark.task(2)
@pytest.mark.points(5)
@pytest.mark.hint(
    "A request with a known X-API-Key is keyed by its app (say `key:partner-shop`), without "
    "the IP; a request without one by its IP. Each app and each IP has its own budget."
)
def test_each_app_and_the_ip_have_their_own_budgets(client, keys, main):
    first, second = keys
    names = [main.API_KEYS[first], main.API_KEYS[second]]
    use_up(client, what=f"the app {names[0]!r}", headers={"X-API-Key": first})
    use_up(client, what=f"a client without a key (from the IP of {names[0]!r})")
    got = statuses(client, 5, headers={"X-API-Key": second})
    assert got == [200] * 5, (
        f"after the app {names[0]!r} and its IP used up their searches, 5 searches by the app "
        f"{names[1]!r} from the same IP answered {got}: one client blocked another"
    )


@pytest.mark.task(2)
@pytest.mark.points(5)
@pytest.mark.hint(
    "The key of a request with a known X-API-Key must not contain the IP address: an app "
    "calling from three addresses still has one budget."
)
def test_an_app_has_one_budget_wherever_it_calls_from(from_ip, keys, main):
    key = keys[0]
    headers = {"X-API-Key": key}
    got = statuses(from_ip(IP_A), 3, headers=headers) + statuses(from_ip(IP_B), 2, headers=headers)
    assert got == [200] * 5, f"5 searches by one app from two IPs answered {got}"
    sixth = from_ip(IP_C).get("/search", headers=headers)
    assert sixth.status_code == 429, (
        f"the 6th search of the app {main.API_KEYS[key]!r} within a minute, from a third IP, "
        f"answered {sixth.status_code}, not 429: the app got a budget per IP"
    )


@pytest.mark.task(2)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Only a key of API_KEYS earns its own budget: `API_KEYS.get(header)` is None for a "
    "made-up key, and then the request is keyed by its IP like a request without a key."
)
def test_made_up_api_keys_buy_no_fresh_budget(from_ip):
    attacker = from_ip(IP_A)
    got = [
        attacker.get("/search", headers={"X-API-Key": f"ak_madeup{n:014d}"}).status_code
        for n in range(6)
    ]
    assert got == [200] * 5 + [429], (
        f"6 searches from one IP, each with a different made-up X-API-Key, answered {got}: "
        "a made-up key bought a fresh budget"
    )
    plain = attacker.get("/search")
    assert plain.status_code == 429, (
        f"a search without a key from {IP_A[0]}, after 5 with made-up keys, answered "
        f"{plain.status_code}, not 429"
    )


@pytest.mark.task(2)
@pytest.mark.points(5)
@pytest.mark.hint(
    "Key by `request.client.host` (slowapi's `get_remote_address`), never by X-Forwarded-For "
    "or another header: slowapi's `get_ipaddr` trusts a header any client can write."
)
def test_forwarding_headers_buy_no_fresh_budget(from_ip):
    attacker = from_ip(IP_A)
    got = []
    for n, template in enumerate(SPOOFING):
        headers = {name: value.format(n=n + 1) for name, value in template.items()}
        got.append((sorted(headers), attacker.get("/search", headers=headers).status_code))
    assert [status for _, status in got] == [200] * 5 + [429], (
        "6 searches from one IP, each with other X-Forwarded-For / X_FORWARDED_FOR / X-Real-IP "
        f"/ Forwarded headers, answered {got}: a header bought a fresh budget"
    )


# --- Task 3: a limit for each route -------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`@limiter.limit("3/minute")` under `@app.post("/login")`, with `request: Request` and '
    "`response: Response` parameters (without the response, a successful login fails): every "
    "attempt counts, right or wrong."
)
def test_fourth_login_attempt_is_429_even_with_the_right_password(client):
    first = client.post("/login", json={"username": "ada", "password": PASSWORD})
    assert first.status_code == 200 and first.json() == {"username": "ada"}, (
        f"a first login with the right password answered {first.status_code}: {short(first.text)}"
    )
    seen = (first.headers.get("x-ratelimit-limit"), first.headers.get("x-ratelimit-remaining"))
    assert seen == ("3", "2"), (
        f"a first login answered X-RateLimit-Limit and X-RateLimit-Remaining {seen}, not ('3', '2')"
    )
    got = statuses(client, 2, "/login", method="POST")
    assert got == [401] * 2, f"2 more logins with a wrong password answered {got}"
    fourth = client.post("/login", json={"username": "ada", "password": PASSWORD})
    assert fourth.status_code == 429, (
        f"the 4th login attempt within a minute (with the right password) answered "
        f"{fourth.status_code}, not 429: {short(fourth.text)}"
    )
    retry_after(fourth, "POST /login")


@pytest.mark.task(3)
@pytest.mark.hint(
    '`Limiter(..., default_limits=["10/minute"])` and `app.add_middleware(SlowAPIMiddleware)`'
    ": the middleware applies the default limit to routes without a decorator."
)
def test_products_has_the_default_limit(client):
    over = use_up(client, 10, "one client", "/products")
    retry_after(over, "GET /products")


@pytest.mark.task(3)
@pytest.mark.hint(
    "Limit every route by default (`default_limits` + `SlowAPIMiddleware`) instead of "
    "decorating each route: a route added later is then limited too."
)
def test_a_route_added_later_gets_the_default_limit(main, client):
    @main.app.get(PROBE)
    def rate_limit_probe():
        return {"probe": True}

    added = main.app.router.routes[-1]
    try:
        use_up(client, 10, "one client", PROBE)
    finally:
        main.app.router.routes.remove(added)


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`@limiter.exempt` under `@app.get("/health")`: with a default limit, an undecorated '
    "route is limited too."
)
def test_health_is_never_limited(client):
    use_up(client, 10, "one client", "/products")
    got = statuses(client, 30, "/health")
    assert got == [200] * 30, f"30 calls to GET /health within a minute answered {got}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Each `@limiter.limit` counts its own route (slowapi puts the path in the key): don't "
    "share one limit between routes (no `shared_limit`, no single global limit such as "
    "`application_limits`: `default_limits` gives each undecorated route its own budget)."
)
def test_each_route_has_its_own_budget(main, client):
    statuses(client, 3, "/login", method="POST")
    assert client.post("/login", json={"username": "ada", "password": "x"}).status_code == 429, (
        "the 4th login attempt within a minute was not refused"
    )
    got = statuses(client, 5)
    assert got == [200] * 5, f"after 3 logins, 5 searches by the same client answered {got}"
    assert client.get("/search").status_code == 429, "the 6th search was not refused"
    got = statuses(client, 10, "/products")
    assert got == [200] * 10, (
        f"after the searches and logins were used up, 10 GET /products answered {got}"
    )
    assert client.get("/products").status_code == 429, "the 11th GET /products was not refused"

    @main.app.get(PROBE)
    def rate_limit_probe():
        return {"probe": True}

    added = main.app.router.routes[-1]
    try:
        got = statuses(client, 10, PROBE)
    finally:
        main.app.router.routes.remove(added)
    assert got == [200] * 10, (
        f"after GET /products was used up, 10 GET {PROBE} (a route added later, with the "
        f"default limit) answered {got}: the default limit is per route, not one budget for "
        "all of them"
    )


# --- Task 4: the moving window, truthful headers ------------------------------------------


@pytest.mark.task(4)
@pytest.mark.hint(
    "The limits forget a request after 60 s; read the time only through `time.time()` "
    "(the tests move it) and keep slowapi's in-memory storage."
)
def test_searches_come_back_after_a_minute(client, clock):
    use_up(client, what="one client")
    clock.advance(61)
    got = statuses(client, 5)
    assert got == [200] * 5, f"61 s after 5 searches, 5 more searches answered {got}"


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`Limiter(..., strategy="moving-window")`: with the default fixed window, every request '
    "is forgotten when the window that started with the first one ends."
)
def test_each_search_counts_for_sixty_seconds_after_it_was_made(client, clock):
    got = statuses(client, 3)
    clock.advance(30)
    got += statuses(client, 2)
    assert got == [200] * 5, f"3 searches, then 2 more 30 s later, answered {got}"
    clock.advance(31)
    later = statuses(client, 4)
    assert later == [200, 200, 200, 429], (
        "61 s after 3 searches (and 31 s after 2 more), 4 searches answered "
        f"{later}, not [200, 200, 200, 429]: the 2 recent searches must still count"
    )
    clock.advance(30)
    last = statuses(client, 3)
    assert last == [200, 200, 429], (
        f"30 s after that, when the 2 searches were 61 s old, 3 searches answered {last}, "
        "not [200, 200, 429]"
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "slowapi's handler with `headers_enabled=True` computes Retry-After from the oldest "
    "request in the window; a fixed value such as 60 is wrong 40 s later. If you compute it "
    "yourself: the window still refuses a request exactly 60 s after the oldest one, so at a "
    "whole number of seconds the wait is one more than the time left."
)
@pytest.mark.parametrize("later", [40.5, 40, 0])  # the whole-second cases: the refusal at 60 s
def test_retry_after_tells_the_truth(client, clock, later):
    use_up(client, what="one client")
    clock.advance(later)
    refused = client.get("/search")
    assert refused.status_code == 429, (
        f"{later} s after 5 searches, a 6th answered {refused.status_code}, not 429"
    )
    seconds = retry_after(refused, f"GET /search, {later} s after 5 searches,")
    clock.advance(seconds - 1)
    early = client.get("/search")
    assert early.status_code == 429, (
        f"the 429 said Retry-After: {seconds} ({later} s after 5 searches at once), but a retry "
        f"{seconds - 1} s later answered {early.status_code}: it overstates the wait"
    )
    clock.advance(1)
    on_time = client.get("/search")
    assert on_time.status_code == 200, (
        f"the 429 said Retry-After: {seconds} ({later} s after 5 searches at once), but a retry "
        f"{seconds} s later answered {on_time.status_code}"
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`Limiter(..., headers_enabled=True)` adds X-RateLimit-Limit and X-RateLimit-Remaining to "
    "the answers of limited routes (decorated ones need a `response: Response` parameter)."
)
@pytest.mark.parametrize("path, limit", [("/search", 5), ("/products", 10)])
def test_answers_say_the_limit_and_what_remains(client, path, limit):
    seen = []
    for _ in range(limit):
        response = client.get(path)
        seen.append(
            (
                response.status_code,
                response.headers.get("x-ratelimit-limit"),
                response.headers.get("x-ratelimit-remaining"),
            )
        )
    expected = [(200, str(limit), str(limit - n)) for n in range(1, limit + 1)]
    assert seen == expected, (
        f"{limit} calls to GET {path} answered (status, X-RateLimit-Limit, "
        f"X-RateLimit-Remaining) = {seen}"
    )
