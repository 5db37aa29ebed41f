import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest

from grader.testing import client_for

ETAG_FORMAT = re.compile(r'^(W/)?"[^"]*"$')
IMF_FIXDATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$"
)
ESPRESSO_CUP = {"id": 1, "name": "Espresso cup", "price": 8.5}  # product 1 is never changed


class SharedCache:
    """A tiny shared HTTP cache (think CDN or reverse proxy) in front of the app.

    RFC 9111 reduced to what this exercise needs: a 200 answer to a GET whose Cache-Control
    allows a shared cache to store it (max-age, no no-store/private/no-cache) is served from the
    cache while it is fresh. A stale entry is revalidated with If-None-Match; a 304 refreshes it.
    Other methods always go to the app, and a successful unsafe request invalidates its URL.
    """

    def __init__(self, client):
        self.client = client
        self.now = 0.0  # the cache's own clock, in seconds; tests move it forward
        self.entries = {}  # url -> [response, stored_at, max_age]
        self.forwarded = 0  # requests that reached the app

    def get(self, url):
        entry = self.entries.get(url)
        if entry and self.now - entry[1] < entry[2]:
            return entry[0]
        headers = {}
        if entry and entry[0].headers.get("etag"):
            headers["If-None-Match"] = entry[0].headers["etag"]
        self.forwarded += 1
        response = self.client.get(url, headers=headers)
        if entry and response.status_code == 304:
            entry[1] = self.now
            entry[2] = self.max_age(response) or entry[2]
            return entry[0]
        self.entries.pop(url, None)
        max_age = self.max_age(response)
        if response.status_code == 200 and max_age:
            self.entries[url] = [response, self.now, max_age]
        return response

    def request(self, method, url, **kwargs):
        self.forwarded += 1
        response = self.client.request(method, url, **kwargs)
        if response.status_code < 400:
            self.entries.pop(url, None)
        return response

    @staticmethod
    def max_age(response):
        found = directives(response.headers.get("cache-control"))
        if found & {"no-store", "private", "no-cache"}:
            return 0
        for directive in found:
            if directive.startswith("max-age="):
                value = directive.partition("=")[2]
                return int(value) if value.isdigit() else 0
        return 0


def directives(cache_control):
    return {d.strip().lower().replace(" ", "") for d in (cache_control or "").split(",")} - {""}


@pytest.fixture(scope="module")
def main(learner):
    # One import for the whole suite. Tests that change a product read it first and only
    # compare before with after; product 1 is never changed.
    return learner.require("main", "app")


@pytest.fixture(scope="module")
def client(main):
    with client_for(main.app) as client:
        yield client


@pytest.fixture
def cache(client):
    return SharedCache(client)


def get_product(client, product_id, **headers):
    response = client.get(f"/products/{product_id}", headers=headers)
    assert response.status_code in (200, 304), (
        f"GET /products/{product_id} answered {response.status_code}: {response.text[:200]}"
    )
    return response


def etag_of(client, product_id):
    etag = get_product(client, product_id).headers.get("etag")
    assert etag, f"GET /products/{product_id} answered without an ETag header"
    return etag


def opaque(etag):
    return etag.removeprefix("W/")


def put_product(client, product_id, name, price):
    response = client.put(f"/products/{product_id}", json={"name": name, "price": price})
    assert response.status_code == 200, (
        f"PUT /products/{product_id} answered {response.status_code}: {response.text[:200]}"
    )
    return response


def http_date(value, what):
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} is {value!r}, not an HTTP-date") from None


def db_reads(main):
    value = getattr(main, "DB_READS", None)
    assert isinstance(value, int), f"main.DB_READS is {value!r}, not an int counter"
    return value


# --- Task 1: a cacheable GET -----------------------------------------------------------------


@pytest.mark.task(1)
def test_get_product_returns_the_seeded_data(client):
    response = get_product(client, 1)
    assert response.status_code == 200, f"GET /products/1 answered {response.status_code}"
    assert response.json() == ESPRESSO_CUP, f"GET /products/1 answered {response.json()!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Set Cache-Control: public, max-age=300 on the 200: `public` lets shared caches (CDNs, "
    "proxies) store it, max-age says for how many seconds it stays fresh."
)
def test_cache_control_is_public_max_age_300(client):
    value = get_product(client, 1).headers.get("cache-control")
    found = directives(value)
    assert {"public", "max-age=300"} <= found, (
        f"GET /products/1 answered Cache-Control {value!r}, expected 'public, max-age=300'"
    )
    assert not found & {"no-store", "no-cache", "private"}, (
        f"Cache-Control {value!r} forbids the shared caching it announces"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "An ETag is a quoted string: '\"' + hashlib.sha256(...).hexdigest() + '\"'. "
    "Without the quotes caches and clients cannot parse or compare it."
)
def test_etag_is_quoted_and_stable(client):
    first, second = get_product(client, 1), get_product(client, 1)
    etag = first.headers.get("etag")
    assert etag, "GET /products/1 answered without an ETag header"
    assert ETAG_FORMAT.match(etag), (
        f'the ETag {etag!r} is not quoted, e.g. "3f2a..." or W/"3f2a..."'
    )
    assert second.headers.get("etag") == etag, (
        f"two GETs of an unchanged product gave the ETags {etag!r} and "
        f"{second.headers.get('etag')!r}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Last-Modified is an HTTP-date in GMT, e.g. 'Tue, 25 Nov 2026 10:00:00 GMT': "
    "email.utils.format_datetime(dt, usegmt=True) with a timezone-aware UTC datetime."
)
def test_last_modified_is_an_http_date(client):
    value = get_product(client, 1).headers.get("last-modified")
    assert value, "GET /products/1 answered without a Last-Modified header"
    assert IMF_FIXDATE.match(value), (
        f"Last-Modified is {value!r}, not an HTTP-date like 'Tue, 25 Nov 2026 10:00:00 GMT'"
    )
    when = http_date(value, "Last-Modified")
    assert when <= datetime.now(UTC) + timedelta(seconds=5), (
        f"Last-Modified {value!r} is in the future"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Only things that exist have versions: raise HTTPException(404) before computing or "
    "setting an ETag."
)
def test_missing_product_is_404_without_etag(client):
    response = client.get("/products/987654")
    assert response.status_code == 404, f"GET /products/987654 answered {response.status_code}"
    assert "etag" not in response.headers, f"the 404 carries ETag {response.headers.get('etag')!r}"


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "With Cache-Control: public, max-age=300 a shared cache answers the second GET itself, and "
    "the app (and its database) never sees it. Count one DB_READS per product load."
)
def test_shared_cache_serves_the_second_get(main, client, cache):
    before = db_reads(main)
    get_product(client, 1)
    one_get = db_reads(main) - before
    assert one_get >= 1, "a GET /products/1 did not increase main.DB_READS"
    before = db_reads(main)
    first = cache.get("/products/1")
    cache.now += 120  # two minutes later: still fresh
    second = cache.get("/products/1")
    assert cache.forwarded == 1, (
        f"two GETs within max-age through a shared cache reached the app {cache.forwarded} "
        "times, expected once (is the answer cacheable?)"
    )
    assert db_reads(main) - before == one_get, (
        f"two cached GETs read the database {db_reads(main) - before} times, one GET reads it "
        f"{one_get} time(s)"
    )
    assert second.json() == first.json() == ESPRESSO_CUP, f"the cache served {second.json()!r}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Call load(product_id) once per request and use what it returned for the body and the "
    "headers alike: a second call (to check existence, then to read) doubles the database work."
)
@pytest.mark.parametrize("headers", [{}, {"If-None-Match": "*"}], ids=["plain", "conditional"])
def test_get_loads_the_product_once(main, client, headers):
    before = db_reads(main)
    get_product(client, 1, **headers)
    assert db_reads(main) - before == 1, (
        f"one GET /products/1 (headers {headers}) made DB_READS grow by "
        f"{db_reads(main) - before}, expected exactly 1 load() call"
    )


# --- Task 2: conditional GET -----------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Read If-None-Match with `if_none_match: Annotated[str | None, Header()] = None`; when it "
    "names the current ETag return Response(status_code=304, headers=...): no body."
)
def test_matching_etag_is_304_without_body(client):
    full = get_product(client, 1)
    etag = full.headers.get("etag")
    assert etag, "GET /products/1 answered without an ETag header"
    response = get_product(client, 1, **{"If-None-Match": etag})
    assert response.status_code == 304, (
        f"GET /products/1 with If-None-Match: {etag} (current) answered {response.status_code}"
    )
    assert response.content == b"", f"the 304 has a body: {response.text[:100]!r}"
    assert response.headers.get("etag") == etag, (
        f"the 304 carries ETag {response.headers.get('etag')!r}, expected {etag!r}"
    )
    cached, revalidated = full.headers.get("cache-control"), response.headers.get("cache-control")
    assert "max-age=300" in directives(revalidated) and directives(revalidated) == directives(
        cached
    ), (
        f"the 304 carries Cache-Control {revalidated!r} and the 200 {cached!r}; the 304 must "
        "repeat the 200's Cache-Control so caches refresh their copy with the same rules"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("layout", ["first", "middle", "last-no-spaces"])
@pytest.mark.hint(
    'If-None-Match may list several ETags: "a", "b", W/"c". Find every quoted tag (a regex '
    'such as (?:W/)?"[^"]*" works) and answer 304 if any of them matches.'
)
def test_etag_in_a_list_is_304(client, layout):
    etag = etag_of(client, 1)
    header = {
        "first": f'{etag}, "other-1"',
        "middle": f'"other-1", {etag}, "other-2"',
        "last-no-spaces": f'"other-1","other-2",{etag}',
    }[layout]
    response = get_product(client, 1, **{"If-None-Match": header})
    assert response.status_code == 304, (
        f"GET with If-None-Match: {header} answered {response.status_code}, not 304"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("form", ["weak", "strong"])
@pytest.mark.hint(
    'If-None-Match uses the weak comparison: W/"x" and "x" match each other. Strip a leading '
    "W/ from both sides before comparing."
)
def test_weak_comparison_is_304(client, form):
    tag = opaque(etag_of(client, 1))
    header = f"W/{tag}" if form == "weak" else tag
    response = get_product(client, 1, **{"If-None-Match": header})
    assert response.status_code == 304, (
        f"GET with If-None-Match: {header} (the current ETag, {form}) answered "
        f"{response.status_code}, not 304"
    )


@pytest.mark.task(2)
@pytest.mark.hint("If-None-Match: * matches any current representation: 304 for an existing one.")
def test_star_is_304_for_an_existing_product(client):
    response = get_product(client, 1, **{"If-None-Match": "*"})
    assert response.status_code == 304, f"GET with If-None-Match: * answered {response.status_code}"
    missing = client.get("/products/987654", headers={"If-None-Match": "*"})
    assert missing.status_code == 404, (
        f"GET /products/987654 with If-None-Match: * answered {missing.status_code}, not 404"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("header", ['"not-the-etag"', 'W/"not-the-etag", "nor-this"'])
def test_other_etags_get_200(client, header):
    response = get_product(client, 1, **{"If-None-Match": header})
    assert response.status_code == 200, f"If-None-Match: {header} answered {response.status_code}"
    assert response.json() == ESPRESSO_CUP, f"the 200 answered {response.json()!r}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "When a cached copy goes stale, the cache asks again with If-None-Match; a 304 lets it keep "
    "serving its stored body without downloading it again."
)
def test_cache_revalidates_a_stale_copy_with_304(cache):
    first = cache.get("/products/1")
    cache.now += 301  # max-age=300 has passed
    again = cache.get("/products/1")
    assert cache.forwarded == 2, f"the cache reached the app {cache.forwarded} times, not 2"
    assert cache.entries.get("/products/1") and again is first, (
        "revalidating an unchanged product did not answer 304, so the cache downloaded it again"
    )


# --- Task 3: PUT changes the validator -------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Derive the ETag from the product's content (a hash of its JSON), never from the id "
    "alone: a PUT must give the product a new ETag."
)
@pytest.mark.parametrize("change", ["name-and-price", "name-only", "price-only"])
def test_etag_changes_after_put(client, change):
    old = etag_of(client, 2)
    current = get_product(client, 2).json()
    name, price = current["name"], float(current["price"])
    if change != "price-only":
        name = "Kettle " + str(len(name))
    if change != "name-only":
        price += 1
    put_product(client, 2, name, price)
    new = etag_of(client, 2)
    assert new != old, (
        f"the ETag stayed {old!r} after PUT changed the product from {current!r} to"
        f" name {name!r}, price {price!r}"
    )
    response = get_product(client, 2, **{"If-None-Match": old})
    assert response.status_code == 200, (
        f"GET with the pre-PUT ETag answered {response.status_code}: clients would keep the "
        "old product"
    )
    got = response.json()
    assert (got.get("name"), got.get("price")) == (name, price), f"GET after PUT answered {got!r}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Another cache node may have let the PUT through: when this cache revalidates its stale "
    "copy, the old ETag must no longer match, so the app answers 200 with the new product."
)
def test_cache_gets_the_new_product_after_put_elsewhere(client, cache):
    first = cache.get("/products/2").json()
    put_product(client, 2, "Gooseneck kettle", float(first["price"]) + 2)  # bypasses the cache
    cache.now += 301
    fresh = cache.get("/products/2")
    assert fresh.json().get("price") == float(first["price"]) + 2, (
        f"after a PUT and max-age, the cache still serves {fresh.json()!r}: the app answered "
        "304 to an outdated ETag"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The ETag identifies the representation: compute it from exactly what GET returns "
    "(id, name, price), not from a counter or a timestamp, so equal content gets the same ETag."
)
def test_etag_follows_the_content(main, client, clock, monkeypatch):
    original = get_product(client, 3).json()
    old = etag_of(client, 3)
    # Each PUT happens at a later time, as it would in production: the modification time
    # changes, the content comes back.
    clock.start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    monkeypatch.setattr(main, "_now", clock.now)
    put_product(client, 3, "Hand grinder", 45.0)
    changed = etag_of(client, 3)
    clock.advance(90)
    put_product(client, 3, original["name"], original["price"])
    restored = etag_of(client, 3)
    assert changed != old, "the ETag did not change when the product did"
    assert restored == old, (
        f"the product is back to {original!r} but its ETag went from {old!r} to {restored!r}; "
        "only its modification time differs from before"
    )


@pytest.mark.task(3)
def test_last_modified_does_not_go_back(client):
    before = get_product(client, 2).headers.get("last-modified")
    put_product(client, 2, "Electric kettle", 59.0)
    after = get_product(client, 2).headers.get("last-modified")
    assert before and after, f"Last-Modified was {before!r} before the PUT and {after!r} after"
    assert http_date(after, "Last-Modified") >= http_date(before, "Last-Modified"), (
        f"Last-Modified went back from {before!r} to {after!r} after a PUT"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Last-Modified is when the product last changed: on every PUT store the time _now() "
    "answers at that moment (modified=_now()), and send it. A time taken once at import, or "
    "kept from before the PUT, tells caches that nothing changed."
)
def test_last_modified_is_the_time_of_each_put(main, client, clock, monkeypatch):
    before = http_date(get_product(client, 3).headers.get("last-modified"), "Last-Modified")
    clock.start = before.astimezone(UTC) + timedelta(hours=1)  # later than any change so far
    monkeypatch.setattr(main, "_now", clock.now)
    original = get_product(client, 3).json()
    for step in range(2):
        put_product(client, 3, f"Grinder mark {step}", 99.0 + step)
        value = get_product(client, 3).headers.get("last-modified")
        expected = format_datetime(clock.now(), usegmt=True)
        assert value == expected, (
            f"the clock (_now) read {expected!r} when PUT /products/3 was handled, but GET "
            f"then answered Last-Modified {value!r}"
        )
        clock.advance(90)
    put_product(client, 3, original["name"], original["price"])


@pytest.mark.task(3)
@pytest.mark.parametrize(
    ("product_id", "body", "status"),
    [
        (987654, {"name": "ghost", "price": 1.0}, 404),
        (1, {"name": "no price"}, 422),
        (1, {"name": "free cup", "price": 0}, 422),
        (1, {"name": "refund cup", "price": -5}, 422),
    ],
    ids=["missing", "no-price", "zero-price", "negative-price"],
)
def test_put_errors(client, product_id, body, status):
    response = client.put(f"/products/{product_id}", json=body)
    assert response.status_code == status, (
        f"PUT /products/{product_id} with {body} answered {response.status_code}, not {status}"
    )


# --- Task 4: the GraphQL-style POST /query ---------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_query_returns_the_same_data(client):
    response = client.post("/query", json={"id": 1})
    assert response.status_code == 200, f"POST /query answered {response.status_code}"
    assert response.json() == {"data": {"product": ESPRESSO_CUP}}, (
        f"POST /query {{'id': 1}} answered {response.json()!r}"
    )


@pytest.mark.task(4)
@pytest.mark.hint("fields picks the keys of the product, as a GraphQL selection set would.")
def test_query_selects_fields(client):
    response = client.post("/query", json={"id": 1, "fields": ["name", "price"]})
    assert response.status_code == 200, f"POST /query answered {response.status_code}"
    assert response.json() == {"data": {"product": {"name": "Espresso cup", "price": 8.5}}}, (
        f"POST /query with fields [name, price] answered {response.json()!r}"
    )


@pytest.mark.task(4)
@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({"id": 987654}, 200, {"data": {"product": None}}),
        ({"id": 1, "fields": ["weight"]}, 422, None),
    ],
    ids=["missing-product", "unknown-field"],
)
def test_query_edge_cases(client, body, status, expected):
    response = client.post("/query", json=body)
    assert response.status_code == status, f"POST /query {body} answered {response.status_code}"
    if expected is not None:
        assert response.json() == expected, f"POST /query {body} answered {response.json()!r}"
        value = response.headers.get("cache-control")
        assert "no-store" in directives(value), (
            f"POST /query {body} answered Cache-Control {value!r}: every answer of /query,"
            " an unknown product's too, carries no-store"
        )


@pytest.mark.task(4)
@pytest.mark.hint("POST /query reads the product with one load() call, like the GET.")
@pytest.mark.parametrize("body", [{"id": 1}, {"id": 987654}], ids=["known", "unknown"])
def test_query_loads_the_product_once(main, client, body):
    before = db_reads(main)
    response = client.post("/query", json=body)
    assert response.status_code == 200, f"POST /query {body} answered {response.status_code}"
    assert db_reads(main) - before == 1, (
        f"one POST /query {body} made DB_READS grow by {db_reads(main) - before}, "
        "expected exactly 1 load() call"
    )


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Set Cache-Control: no-store on the POST /query answer. POSTs to one URL cannot be keyed "
    "by a shared cache, so every read goes to the database: count them with DB_READS."
)
def test_query_is_never_cached(main, cache):
    before = db_reads(main)
    first = cache.request("POST", "/query", json={"id": 1})
    one_query = db_reads(main) - before
    second = cache.request("POST", "/query", json={"id": 1})
    assert first.status_code == second.status_code == 200, "POST /query did not answer 200"
    value = first.headers.get("cache-control")
    assert "no-store" in directives(value), (
        f"POST /query answered Cache-Control {value!r}, expected no-store"
    )
    assert not directives(value) & {"public", "max-age=300"}, (
        f"POST /query answered Cache-Control {value!r}, which invites caching"
    )
    assert one_query >= 1 and db_reads(main) - before == 2 * one_query, (
        f"two POST /query read the database {db_reads(main) - before} times "
        f"(one query: {one_query}); each must read it"
    )
