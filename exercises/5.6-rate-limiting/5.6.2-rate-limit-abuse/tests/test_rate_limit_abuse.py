"""Hidden tests for 5.6.2: a token bucket on an injected clock, a RateLimit dependency, and an
app whose catalogue and login are protected against scraping, guessing and spraying.

Time: every limiter gets the kit's fake clock (`clock.monotonic`, 1000.0 at the start), moved
with `clock.advance()`; the rates used are binary fractions (1, 0.5, 0.25, ...) where a test
compares times exactly, and 0.05 / 0.1 as the prompt gives them for the login. Each test builds
a new app with `create_app(clock.monotonic)`; other IP addresses are TestClients with
`client=(ip, port)`."""

import asyncio
import threading

import pytest
from fastapi import Depends, FastAPI

TOO_MANY = {"detail": "Too many requests"}
INVALID = {"detail": "Invalid username or password"}
PASSWORD = "correct horse battery staple"
IP_A = ("203.0.113.10", 50000)
IP_B = ("198.51.100.20", 50000)
IP_C = ("192.0.2.30", 50000)
SPOOFING = [
    {"X-Forwarded-For": "10.0.0.{n}"},
    {"X-Real-IP": "10.2.0.{n}"},
    {"Forwarded": "for=10.3.0.{n}"},
    {"X-Forwarded-For": "10.4.0.{n}", "X-Real-IP": "10.5.0.{n}"},
    {"X-Forwarded-For": "10.6.0.{n}, 10.7.0.{n}"},
]


@pytest.fixture
def rl(learner):
    return learner.require("ratelimit", "Decision", "TokenBucketLimiter", "RateLimit")


@pytest.fixture
def bucket(rl, clock):
    """bucket(capacity, refill_per_sec) -> the learner's TokenBucketLimiter on the fake clock."""
    return lambda capacity, rate: rl.TokenBucketLimiter(capacity, rate, clock.monotonic)


@pytest.fixture
def main(learner):
    return learner.require("main", "create_app", "app", "ITEMS", "USERS")


@pytest.fixture
def shop(main, clock, app_client):
    """shop(address) -> a TestClient on one app built with the fake clock, from that address."""
    app = main.create_app(clock.monotonic)
    return lambda address=IP_A: app_client(app, client=address)


@pytest.fixture
def guarded(rl, app_client):
    """guarded(limiter) -> (client, calls): a route behind Depends(RateLimit(limiter, key_func))
    whose key is the X-Client header; `calls` counts the requests that reached the endpoint."""

    def make(limiter):
        app = FastAPI()
        calls = []
        limit = rl.RateLimit(limiter, lambda request: request.headers.get("x-client", "anon"))

        @app.get("/thing", dependencies=[Depends(limit)])
        async def thing():
            calls.append(1)
            return {"ok": True}

        return app_client(app), calls

    return make


def short(text, size=160):
    return text if len(text) <= size else text[:size] + "..."


def allowed(decisions):
    return [d.allowed for d in decisions]


def login(client, username="ada", password="wrong", **options):
    return client.post("/login", json={"username": username, "password": password}, **options)


def assert_429(response, what):
    assert response.status_code == 429, (
        f"{what} answered {response.status_code}, not 429: {short(response.text)}"
    )
    assert response.json() == TOO_MANY, f"the 429 of {what} has the body {short(response.text)}"
    value = response.headers.get("retry-after")
    assert value is not None and value.strip().isdigit() and int(value) >= 1, (
        f"the 429 of {what} has Retry-After: {value!r}, not a whole number of seconds >= 1"
    )
    return int(value)


# --- Task 1: the token bucket -------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "capacity, rate",
    [(0, 1.0), (0.5, 1.0), (-1, 1.0), (3, 0), (3, -0.5)],
    ids=["capacity-0", "capacity-half", "capacity-negative", "refill-0", "refill-negative"],
)
def test_invalid_arguments_raise_value_error(rl, clock, capacity, rate):
    with pytest.raises(ValueError):
        rl.TokenBucketLimiter(capacity, rate, clock.monotonic)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A new key starts with a full bucket; each allowed hit takes one token and reports the "
    "whole tokens left (`math.floor`), a refused one reports 0."
)
def test_a_full_bucket_lets_a_burst_of_capacity_through(bucket):
    limiter = bucket(4, 1.0)
    decisions = [limiter.hit("k") for _ in range(5)]
    seen = [(d.allowed, d.remaining) for d in decisions]
    assert seen == [(True, 3), (True, 2), (True, 1), (True, 0), (False, 0)], (
        f"5 hits at once on a bucket of capacity 4 gave (allowed, remaining) = {seen}"
    )
    assert [d.retry_after for d in decisions[:4]] == [0.0] * 4, (
        f"allowed hits gave retry_after {[d.retry_after for d in decisions[:4]]}, not 0.0"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "remaining counts whole tokens only: with 0.75 of a token left it is 0, with 1.0 it is 1 "
    "(`math.floor`, not `round` or `math.ceil`)."
)
def test_remaining_counts_whole_tokens_only(bucket, clock):
    limiter = bucket(3, 0.5)
    for _ in range(3):
        limiter.hit("k")
    seen = []
    for wait in [3.5, 2.5, 1.5]:  # 1.75, 2.0 and 1.75 tokens before each hit
        clock.advance(wait)
        decision = limiter.hit("k")
        seen.append((decision.allowed, decision.remaining))
    assert seen == [(True, 0), (True, 1), (True, 0)], (
        "an emptied bucket refilled at 0.5/s, hit 3.5 s, then 2.5 s, then 1.5 s later (0.75, "
        f"1.0 and 0.75 tokens left after each hit) gave (allowed, remaining) = {seen}, not "
        "[(True, 0), (True, 1), (True, 0)]"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "retry_after = (1 - tokens) / refill_per_sec, where tokens is what the bucket holds after "
    "refilling for the time passed."
)
def test_retry_after_is_the_time_until_the_next_token(bucket, clock):
    limiter = bucket(3, 0.25)
    for _ in range(3):
        limiter.hit("k")
    first = limiter.hit("k")
    assert not first.allowed and first.retry_after == pytest.approx(4.0), (
        f"an empty bucket refilled at 0.25/s gave allowed={first.allowed}, "
        f"retry_after={first.retry_after}, not a refusal with 4.0"
    )
    clock.advance(2.5)
    later = limiter.hit("k")
    assert not later.allowed and later.retry_after == pytest.approx(1.5), (
        f"2.5 s later (0.625 of a token back) it gave allowed={later.allowed}, "
        f"retry_after={later.retry_after}, not a refusal with 1.5"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Refill at each hit from the clock: tokens = min(capacity, tokens + (now - last) * rate), "
    "fractions included, then remember `now` as the last update."
)
def test_tokens_come_back_with_time(bucket, clock):
    limiter = bucket(3, 0.5)
    for _ in range(3):
        limiter.hit("k")
    clock.advance(2)
    got = allowed(limiter.hit("k") for _ in range(2))
    assert got == [True, False], f"2 s after emptying a bucket refilled at 0.5/s, 2 hits gave {got}"
    clock.advance(5)
    got = allowed(limiter.hit("k") for _ in range(3))
    assert got == [True, True, False], (
        f"5 s later (2.5 tokens back), 3 hits gave {got}, not [True, True, False]"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint("Cap the refill: `min(capacity, ...)`; a quiet hour must not bank 3600 tokens.")
def test_a_bucket_never_holds_more_than_capacity(bucket, clock):
    limiter = bucket(3, 1.0)
    limiter.hit("k")
    clock.advance(3600)
    got = allowed(limiter.hit("k") for _ in range(5))
    assert got == [True, True, True, False, False], (
        f"an hour after one hit on a bucket of capacity 3, 5 hits gave {got}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A refused hit takes no token and loses nothing: keep (or don't touch) the fraction that "
    "has come back. Moving the 'last update' time without storing the refill throws it away."
)
def test_a_refused_request_costs_nothing(bucket, clock):
    limiter = bucket(1, 0.5)
    assert limiter.hit("k").allowed, "the first hit on a full bucket was refused"
    for _ in range(4):
        clock.advance(0.25)
        assert not limiter.hit("k").allowed, "a hit less than 2 s later was allowed"
    clock.advance(1)
    last = limiter.hit("k")
    assert last.allowed, (
        "a bucket of capacity 1 refilled at 0.5/s, emptied at t=0 and tried 4 times before "
        f"t=1, refused a hit at t=2 (retry_after={last.retry_after}): refusals cost tokens"
    )


# --- Task 2: one bucket per key, pruning --------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(10)
@pytest.mark.hint(
    "Keep one bucket per key (a dict key -> tokens and last update): a single shared bucket, "
    "or one keyed by a part of the key, lets one client use up another's tokens."
)
def test_each_key_has_its_own_bucket(bucket):
    limiter = bucket(2, 1.0)
    keys = ["203.0.113.10", "203.0.113.11", "ada|203.0.113.10", "ada|203.0.113.11"]
    for key in keys:
        got = allowed(limiter.hit(key) for _ in range(3))
        assert got == [True, True, False], (
            f"3 hits at once on the key {key!r} (after the keys before it in {keys} used up "
            f"their tokens) gave {got}, not [True, True, False]"
        )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`__len__` returns the number of buckets; `prune()` deletes the keys whose bucket, "
    "refilled up to now, holds `capacity` tokens, and returns how many it deleted."
)
def test_prune_forgets_the_buckets_that_are_full_again(bucket, clock):
    limiter = bucket(2, 1.0)
    for n in range(50):
        limiter.hit(f"client-{n}")
    assert len(limiter) == 50, f"after hits on 50 keys, len(limiter) is {len(limiter)}"
    clock.advance(0.5)
    assert limiter.prune() == 0, "prune() forgot buckets that were not full yet"
    assert len(limiter) == 50, f"after a prune() that forgot nothing, len is {len(limiter)}"
    clock.advance(0.5)
    forgotten = limiter.prune()
    assert forgotten == 50 and len(limiter) == 0, (
        f"1 s after one hit each (full again), prune() returned {forgotten} and len(limiter) "
        f"is {len(limiter)}, not 50 and 0"
    )
    again = [(d.allowed, d.remaining) for d in (limiter.hit("client-0") for _ in range(3))]
    assert again == [(True, 1), (True, 0), (False, 0)], (
        f"a forgotten key hit 3 times gave (allowed, remaining) = {again}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Prune only the buckets that are full once refilled to now; a partly used bucket keeps "
    "its state, or prune() hands out tokens early."
)
def test_prune_never_gives_tokens_back_early(bucket, clock):
    limiter = bucket(3, 0.5)
    for _ in range(3):
        limiter.hit("attacker")
    clock.advance(2)
    limiter.prune()
    got = allowed(limiter.hit("attacker") for _ in range(3))
    assert got == [True, False, False], (
        "2 s after emptying a bucket of capacity 3 refilled at 0.5/s (1 token back) and a "
        f"prune(), 3 hits gave {got}, not [True, False, False]"
    )


# --- Task 3: the RateLimit dependency -----------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint(
    'After an allowed hit, set `response.headers["X-RateLimit-Remaining"]` on the '
    "`response: Response` parameter of `__call__`."
)
def test_an_allowed_request_reaches_the_endpoint_with_remaining(bucket, guarded):
    client, calls = guarded(bucket(3, 1.0))
    seen = []
    for _ in range(3):
        response = client.get("/thing")
        seen.append((response.status_code, response.headers.get("x-ratelimit-remaining")))
    assert seen == [(200, "2"), (200, "1"), (200, "0")], (
        f"3 requests through RateLimit (capacity 3) answered (status, X-RateLimit-Remaining) = "
        f"{seen}"
    )
    assert len(calls) == 3, f"the endpoint ran {len(calls)} times for 3 allowed requests"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Raise `HTTPException(429, "Too many requests", headers={...})` in the dependency: it '
    "stops the request before the endpoint runs."
)
def test_a_refused_request_is_429_and_never_reaches_the_endpoint(bucket, guarded):
    client, calls = guarded(bucket(2, 1.0))
    client.get("/thing")
    client.get("/thing")
    refused = client.get("/thing")
    assert_429(refused, "a 3rd request through RateLimit (capacity 2)")
    assert refused.headers.get("x-ratelimit-remaining") == "0", (
        "the 429 has X-RateLimit-Remaining: "
        f"{refused.headers.get('x-ratelimit-remaining')!r}, not '0'"
    )
    assert len(calls) == 2, f"the endpoint ran {len(calls)} times for 2 allowed and 1 refused"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`math.ceil(decision.retry_after)`, at least 1: int() rounds 0.75 down to 0, and round() "
    "rounds 1.25 down to 1."
)
def test_retry_after_is_rounded_up_to_whole_seconds(bucket, guarded, clock):
    client, _ = guarded(bucket(1, 0.5))
    client.get("/thing")
    seen = []
    for step in (0, 0.5, 0.25, 0.5, 0.5):
        clock.advance(step)
        response = client.get("/thing")
        seen.append((response.status_code, response.headers.get("retry-after")))
    assert seen == [(429, "2"), (429, "2"), (429, "2"), (429, "1"), (429, "1")], (
        "a bucket of capacity 1 refilled at 0.5/s, emptied at t=0, answered (status, "
        f"Retry-After) = {seen} at t=0, 0.5, 0.75, 1.25 and 1.75 (retry_after 2.0, 1.5, 1.25, "
        "0.75, 0.25)"
    )
    clock.advance(0.25)
    assert client.get("/thing").status_code == 200, "at t=2 the request was still refused"


@pytest.mark.task(3)
@pytest.mark.hint("Call `key_func(request)` for every request and hit the limiter with its key.")
def test_the_key_func_decides_whose_bucket_pays(bucket, guarded):
    client, _ = guarded(bucket(1, 1.0))
    first = [client.get("/thing", headers={"X-Client": "alice"}).status_code for _ in range(2)]
    other = client.get("/thing", headers={"X-Client": "bob"}).status_code
    assert first == [200, 429] and other == 200, (
        f"with capacity 1 and key_func reading X-Client, alice got {first} and then bob got "
        f"{other}, not [200, 429] and 200"
    )


# Two requests meet inside the limiter. Their key is a string whose hash (which every dict lookup
# or store of the key takes) first waits, at most MEETING_WAIT seconds, until the other request
# hashes it too. Without mutual exclusion both requests read the full bucket before either
# writes it back, and both pass a capacity of 1; with a lock the other request cannot arrive
# while the first waits, the wait runs out and the first goes on alone. On the event loop's own
# thread the other request cannot run at all, so the hash does not wait there.
MEETING_WAIT = 0.5


def meeting_key_class():
    meeting = threading.Barrier(2, timeout=MEETING_WAIT)

    class MeetingKey(str):
        """A string (equal to, and hashing like, its text) whose hash waits for a partner."""

        def __hash__(self):
            try:
                asyncio.get_running_loop()
            except RuntimeError:  # a worker thread: the other request can arrive meanwhile
                try:
                    meeting.wait()
                except threading.BrokenBarrierError:
                    pass  # the other request never came (a lock): go on alone
            return str.__hash__(self)

    return MeetingKey


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Two requests that arrived together both took the last token. A plain `def __call__` runs "
    "in a thread pool: make it `async def` (with no await around `hit`), or hold a "
    "threading.Lock in the limiter from reading a bucket to writing it back."
)
def test_two_requests_at_once_never_both_take_the_last_token(rl, bucket, app_client):
    key = meeting_key_class()
    app = FastAPI()
    calls = []
    limit = rl.RateLimit(bucket(1, 0.5), lambda request: key("client"))

    @app.get("/thing", dependencies=[Depends(limit)])
    async def thing():
        calls.append(1)
        return {"ok": True}

    @app.get("/warm-up")
    async def warm_up():
        return {}

    client = app_client(app)
    client.get("/warm-up")  # the test's event loop is started before the two requests
    start = threading.Barrier(2, timeout=5)
    statuses = []

    def send():
        try:
            start.wait()
        except threading.BrokenBarrierError:
            pass
        statuses.append(client.get("/thing").status_code)

    threads = [threading.Thread(target=send, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads), (
        "two simultaneous requests through RateLimit did not answer within 10 seconds"
    )
    assert sorted(statuses) == [200, 429] and len(calls) == 1, (
        f"two requests at the same moment through RateLimit (capacity 1, one key) answered "
        f"{sorted(statuses)} and the endpoint ran {len(calls)} times: both read the full bucket "
        "before either took its token"
    )


# --- Task 4: the catalogue ----------------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`Depends(RateLimit(TokenBucketLimiter(10, 1.0, clock), key_func))` on GET /items, with "
    "the limiter built inside create_app from its `clock`."
)
def test_items_allows_ten_then_answers_429(main, shop):
    client = shop()
    seen = []
    for _ in range(10):
        response = client.get("/items")
        seen.append((response.status_code, response.headers.get("x-ratelimit-remaining")))
    assert seen == [(200, str(9 - n)) for n in range(10)], (
        f"10 calls to GET /items answered (status, X-RateLimit-Remaining) = {seen}"
    )
    eleventh = client.get("/items")
    assert_429(eleventh, "an 11th call to GET /items at once")


@pytest.mark.task(4)
@pytest.mark.hint('GET /items answers `{"items": ITEMS}` when allowed.')
def test_items_answers_the_catalogue(main, shop):
    response = shop().get("/items")
    assert response.status_code == 200 and response.json() == {"items": main.ITEMS}, (
        f"GET /items answered {response.status_code}: {short(response.text)}"
    )


@pytest.mark.task(4)
@pytest.mark.hint(
    "The catalogue's bucket refills at 1 token a second, read from create_app's clock."
)
def test_items_gets_one_more_each_second(shop, clock):
    client = shop()
    for _ in range(10):
        client.get("/items")
    clock.advance(1)
    got = [client.get("/items").status_code for _ in range(2)]
    assert got == [200, 429], f"1 s after 10 calls to GET /items, 2 more answered {got}"


@pytest.mark.task(4)
@pytest.mark.hint(
    "create_app must build new limiters each time it is called (inside the function), not "
    "share module-level ones."
)
def test_each_app_from_create_app_has_its_own_limiters(main, clock, app_client):
    first = app_client(main.create_app(clock.monotonic), client=IP_A)
    second = app_client(main.create_app(clock.monotonic), client=IP_A)
    got = [first.get("/items").status_code for _ in range(11)]
    assert got[-1] == 429, f"11 calls to GET /items on one app answered {got}"
    response = second.get("/items")
    assert response.status_code == 200, (
        f"GET /items on a second app from create_app, after the first app's budget was used "
        f"up, answered {response.status_code}"
    )


@pytest.mark.task(4)
@pytest.mark.points(10)
@pytest.mark.hint(
    "Key GET /items by `request.client.host`: each address has its own bucket, and one "
    "address over its limit leaves the others untouched."
)
def test_an_ip_over_its_limit_does_not_block_another(shop):
    attacker, other = shop(IP_A), shop(IP_B)
    got = [attacker.get("/items").status_code for _ in range(11)]
    assert got == [200] * 10 + [429], f"11 calls to GET /items from {IP_A[0]} answered {got}"
    got = [other.get("/items").status_code for _ in range(10)]
    assert got == [200] * 10, (
        f"after {IP_A[0]} used up its budget, 10 calls to GET /items from {IP_B[0]} answered "
        f"{got}: one client blocked another"
    )


@pytest.mark.task(4)
@pytest.mark.points(10)
@pytest.mark.hint(
    "The client's address is `request.client.host`, never X-Forwarded-For, X-Real-IP or "
    "Forwarded: any client writes those, and a new value each time is a new budget."
)
def test_forwarding_headers_never_change_the_key(shop):
    attacker = shop(IP_A)
    got = []
    for n in range(11):
        template = SPOOFING[n % len(SPOOFING)]
        headers = {name: value.format(n=n + 1) for name, value in template.items()}
        got.append(attacker.get("/items", headers=headers).status_code)
    assert got == [200] * 10 + [429], (
        f"11 calls to GET /items from one IP, each with other X-Forwarded-For / X-Real-IP / "
        f"Forwarded headers, answered {got}: a header bought a fresh budget"
    )
    got = []
    for n in range(4):
        headers = {name: value.format(n=n + 1) for name, value in SPOOFING[n].items()}
        got.append(login(attacker, headers=headers).status_code)
    assert got == [401, 401, 401, 429], (
        f"4 wrong logins as ada from one IP, each with other forwarding headers, answered {got}"
    )


# --- Task 5: the login --------------------------------------------------------------------


@pytest.mark.task(5)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Normalise the username with `.strip().lower()` before looking it up (and before building "
    'the rate-limit key); answer {"username": <the normalised name>}.'
)
def test_login_answers_right_and_wrong_passwords(shop):
    cases = [
        ("ada", PASSWORD, 200, {"username": "ada"}),
        (" Ada ", PASSWORD, 200, {"username": "ada"}),
        ("ada", "wrong", 401, INVALID),
        ("nobody", PASSWORD, 401, INVALID),
    ]
    addresses = [IP_A, IP_B, IP_C, ("192.0.2.77", 50000)]
    for (username, password, status, body), address in zip(cases, addresses, strict=True):
        response = login(shop(address), username, password)
        assert (response.status_code, response.json()) == (status, body), (
            f"POST /login as {username!r} with {'the right' if password == PASSWORD else 'a'} "
            f"password answered {response.status_code} {short(response.text)}, not {status} {body}"
        )


@pytest.mark.task(5)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Check the (username, IP) bucket (3 tokens, 0.05/s) before the password: a 4th attempt is "
    "refused even when right, with Retry-After 20, and passes 20 s later."
)
def test_a_fourth_attempt_is_429_even_with_the_right_password(shop, clock):
    client = shop(IP_A)
    got = [login(client).status_code for _ in range(3)]
    assert got == [401] * 3, f"3 wrong logins as ada answered {got}"
    seconds = assert_429(login(client, password=PASSWORD), "a 4th login (right password)")
    assert seconds == 20, f"the 429 of a 4th login within a second has Retry-After: {seconds}"
    clock.advance(19)
    early = login(client, password=PASSWORD)
    assert early.status_code == 429, f"19 s later, a login answered {early.status_code}"
    clock.advance(1)
    on_time = login(client, password=PASSWORD)
    assert on_time.status_code == 200, (
        f"20 s after the 3rd attempt, a login with the right password answered "
        f"{on_time.status_code}: {short(on_time.text)}"
    )


@pytest.mark.task(5)
@pytest.mark.points(10)
@pytest.mark.hint(
    "Build the key from the normalised username (`.strip().lower()`): `ADA` and ` ada` are "
    "the same account, so they must share one bucket."
)
def test_spellings_of_a_username_share_one_bucket(shop):
    client = shop(IP_A)
    got = [login(client, name).status_code for name in ("ada", "ADA", " Ada")]
    assert got == [401] * 3, f"3 wrong logins as 'ada', 'ADA' and ' Ada' answered {got}"
    fourth = login(client, "aDa ", PASSWORD)
    assert fourth.status_code == 429, (
        f"a 4th attempt, as 'aDa ' with the right password, answered {fourth.status_code}: "
        "each spelling of the username bought fresh attempts"
    )


@pytest.mark.task(5)
@pytest.mark.points(10)
@pytest.mark.hint(
    "Key the strict bucket by (username, IP), not by username alone: an attacker's failures "
    "must not lock the real user out from her own address."
)
def test_the_real_user_on_another_ip_still_logs_in(shop):
    attacker, victim = shop(IP_A), shop(IP_B)
    got = [login(attacker).status_code for _ in range(6)]
    assert got[:3] == [401] * 3 and got[3:] == [429] * 3, (
        f"6 wrong logins as ada from {IP_A[0]} answered {got}"
    )
    response = login(victim, password=PASSWORD)
    assert response.status_code == 200, (
        f"after an attacker's attempts from {IP_A[0]}, ada with the right password from "
        f"{IP_B[0]} got {response.status_code}: the attacker locked her out"
    )


@pytest.mark.task(5)
@pytest.mark.points(10)
@pytest.mark.hint(
    "Add a second bucket per IP alone (capacity 10, 0.1/s) that every attempt goes through: "
    "per (username, IP) alone, each new username is a fresh budget."
)
def test_one_ip_spraying_usernames_is_stopped(shop):
    sprayer = shop(IP_A)
    got = [login(sprayer, f"user{n}", "Summer2026!").status_code for n in range(11)]
    assert got == [401] * 10 + [429], (
        f"one IP trying 11 usernames once each answered {got}, not 10 × 401 and a 429"
    )
    response = login(shop(IP_B), "ada", PASSWORD)
    assert response.status_code == 200, (
        f"ada from another IP, after the spraying, answered {response.status_code}"
    )


@pytest.mark.task(5)
@pytest.mark.hint(
    "The per-IP login bucket refills at 0.1 a second: one attempt every 10 s, and its 429 says "
    "Retry-After: 10."
)
def test_the_per_ip_login_bucket_refills_at_its_rate(shop, clock):
    sprayer = shop(IP_A)
    for n in range(10):
        login(sprayer, f"user{n}")
    seconds = assert_429(login(sprayer, "user10"), "an 11th username from one IP")
    assert seconds == 10, (
        f"the 429 of the per-IP login bucket (refilled at 0.1/s) has Retry-After: {seconds}, not 10"
    )
    clock.advance(10)
    got = [login(sprayer, f"other{n}").status_code for n in range(2)]
    assert got == [401, 429], (
        f"10 s after trying 10 usernames, one IP trying 2 more answered {got}, not [401, 429]"
    )
