"""Hidden tests for 6.1.1: cache-aside with Redis (fakeredis), invalidation, and outages.

Redis is `fakeredis.FakeRedis(decode_responses=True)` on a FakeServer of its own per test; an
outage is `server.connected = False`. `time.time` is the kit's fake clock for every test, so
fakeredis expires keys when a test advances it. The database is the kit's in-memory engine, one
for the module, emptied and given the two products again before each test; one client (one event
loop) serves the module; statements are counted with the kit's `sql_counter`."""

import json
import time

import fakeredis
import pytest
from sqlalchemy import event, select

from grader import testing

KETTLE = {"id": 1, "name": "Kettle", "price": 25.0}
TEAPOT = {"id": 2, "name": "Teapot", "price": 12.5}
NEW_KETTLE = {"name": "Steel kettle", "price": 31.5}


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "get_db", "get_redis", "Base", "Product")


@pytest.fixture
def server():
    return fakeredis.FakeServer()


@pytest.fixture
def cache(server):
    return fakeredis.FakeRedis(server=server, decode_responses=True)


class Db:
    """The module's client, the test database and its session factory (what the kit's
    `db_client` gives, on the module's engine and client)."""

    def __init__(self, client, engine, sessions):
        self.client, self.engine, self.sessions = client, engine, sessions

    def scalars(self, statement):
        """Rows read through a fresh Session: what was really committed."""
        return testing.fresh_scalars(self.engine, statement)


@pytest.fixture(scope="module")
def module_engine(learner):
    """One in-memory test database for the module (one connection for all threads): a new
    engine per test would also compile every statement again (SQLAlchemy caches per engine)."""
    main = learner.require("main", "app", "get_db", "get_redis", "Base", "Product")
    engine = testing.memory_engine(main.Base.metadata)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def module_client(learner):
    """A client of the app for the module, its requests on one event loop."""
    main = learner.require("main", "app", "get_db", "get_redis", "Base", "Product")
    with testing.looped_client(main.app) as client:
        yield client


@pytest.fixture
def db(main, module_engine, module_client, overrides, cache, clock, monkeypatch):
    """The module's database, emptied and holding the two products again for this test;
    get_db and get_redis are overridden during the test."""
    monkeypatch.setattr(time, "time", clock.time)
    testing.empty_database(module_engine, main.Base.metadata)
    overrides(main.app, {main.get_redis: lambda: cache})
    with testing.overridden_db(main.app, main.get_db, module_engine) as sessions:
        db = Db(module_client, module_engine, sessions)
        with db.sessions() as session:
            session.add_all(main.Product(**row) for row in (KETTLE, TEAPOT))
            session.commit()
        yield db


@pytest.fixture
def client(db):
    return db.client


def short(text, size=200):
    return text if len(text) <= size else text[:size] + "..."


def fetch(client, product_id, status=200, what=None):
    response = client.get(f"/products/{product_id}")
    assert response.status_code == status, (
        f"{what or f'GET /products/{product_id}'} answered {response.status_code}, not "
        f"{status}: {short(response.text)}"
    )
    return response


def x_cache(response):
    return response.headers.get("x-cache")


def expect(response, label, body, what):
    got = x_cache(response)
    assert got == label, f"{what} answered with X-Cache: {got!r}, not {label!r}"
    assert response.json() == body, f"{what} answered {short(response.text)}, expected {body}"


def cached_value(cache, key):
    raw = cache.get(key)
    assert raw is not None, f"Redis holds no key {key!r}; its keys are {sorted(cache.keys('*'))}"
    try:
        return json.loads(raw)
    except ValueError:
        pytest.fail(f"Redis holds {raw!r} under {key!r}, which is not JSON")


def stored_product(db, main, product_id):
    rows = db.scalars(select(main.Product).where(main.Product.id == product_id))
    return {"id": rows[0].id, "name": rows[0].name, "price": rows[0].price} if rows else None


# --- Task 1: cache-aside ------------------------------------------------------------------


@pytest.mark.task(1)
def test_first_get_is_a_miss_with_the_product(client):
    response = fetch(client, 1)
    expect(response, "MISS", KETTLE, "the first GET /products/1")


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Look in Redis before touching the session: `cached = cache.get(key)`; when it is not "
    "None, return `json.loads(cached)` at once. A HIT that still reads the database saves "
    "nothing."
)
def test_second_get_is_a_hit_without_sql(client, db, sql_counter):
    with sql_counter(db.engine) as first:
        fetch(client, 1)
    assert first.selects >= 1, "the first GET /products/1 (a MISS) ran no SELECT"
    with sql_counter(db.engine) as second:
        response = fetch(client, 1, what="the second GET /products/1")
    expect(response, "HIT", KETTLE, "the second GET /products/1")
    assert second.count == 0, (
        f"the second GET /products/1 (a HIT) ran {second.count} SQL statement(s): "
        f"{[short(s, 80) for s in second.statements]}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    'The key is f"product:{product_id}" and the value is the body as JSON text: '
    "`product.model_dump_json()` or `json.dumps(body)`."
)
def test_a_miss_stores_the_body_under_its_key(client, cache):
    body = fetch(client, 1).json()
    assert cached_value(cache, "product:1") == body, (
        f"after a MISS, Redis holds {cache.get('product:1')!r} under 'product:1', not the "
        f"body {body}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "`cache.set(key, value, ex=60)` (or `setex(key, 60, value)`): `ex` is in seconds, `px` "
    "in milliseconds, and without either the key never expires."
)
def test_the_entry_has_a_ttl_of_60_seconds(client, cache):
    fetch(client, 1)
    ttl = cache.ttl("product:1")
    assert ttl != -2, f"Redis holds no key 'product:1'; its keys are {sorted(cache.keys('*'))}"
    assert ttl != -1, "'product:1' was stored without a TTL: it would never expire"
    assert 0 < ttl <= 60, f"'product:1' was stored with a TTL of {ttl} s, not 60 s"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Let Redis expire the entry (`ex=60`), and keep no copy of your own in a dict: after 60 "
    "seconds the key is gone and the next GET must read the database again."
)
def test_a_hit_for_60_seconds_then_a_miss(client, db, clock, sql_counter):
    fetch(client, 1)
    clock.advance(59)
    response = fetch(client, 1, what="a GET 59 seconds after the first")
    expect(response, "HIT", KETTLE, "a GET /products/1 59 seconds after the first")
    clock.advance(2)
    with sql_counter(db.engine) as counted:
        response = fetch(client, 1, what="a GET 61 seconds after the first")
    expect(response, "MISS", KETTLE, "a GET /products/1 61 seconds after the first")
    assert counted.selects >= 1, "a GET /products/1 61 seconds after the first ran no SELECT"


@pytest.mark.task(1)
@pytest.mark.hint(
    "On a HIT, answer what Redis holds (`json.loads(cached)`), not a fresh read of the row."
)
def test_a_cached_entry_is_answered_as_it_is(client, cache):
    planted = {"id": 1, "name": "Kettle (cached)", "price": 19.99}
    cache.set("product:1", json.dumps(planted), ex=60)
    response = fetch(client, 1, what="GET /products/1 with 'product:1' in Redis")
    expect(response, "HIT", planted, "GET /products/1 with 'product:1' in Redis")


@pytest.mark.task(1)
@pytest.mark.hint('One key per product: f"product:{product_id}".')
def test_each_product_has_its_own_entry(client, cache):
    expect(fetch(client, 1), "MISS", KETTLE, "the first GET /products/1")
    expect(fetch(client, 2), "MISS", TEAPOT, "the first GET /products/2")
    expect(fetch(client, 1), "HIT", KETTLE, "the second GET /products/1")
    expect(fetch(client, 2), "HIT", TEAPOT, "the second GET /products/2")
    assert cached_value(cache, "product:2") == TEAPOT, (
        f"Redis holds {cache.get('product:2')!r} under 'product:2'"
    )


# --- Task 2: no negative caching ----------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.hint(
    "Raise the 404 before anything is written to Redis: only a product that was found is cached."
)
def test_a_404_writes_nothing_to_redis(client, cache):
    fetch(client, 99, status=404)
    keys = sorted(cache.keys("*"))
    assert keys == [], f"after a 404 for product 99, Redis holds the keys {keys}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A cached 'not found' hides a product created afterwards; cache nothing for a 404."
)
def test_a_product_created_after_a_404_is_found(client, db, main):
    fetch(client, 99, status=404)
    with db.sessions() as session:
        session.add(main.Product(id=99, name="Mug", price=8.0))
        session.commit()
    response = fetch(client, 99, what="GET /products/99 after the product was created")
    expect(response, "MISS", {"id": 99, "name": "Mug", "price": 8.0}, "that GET")


# --- Task 3: PUT invalidates --------------------------------------------------------------


@pytest.mark.task(3)
def test_put_updates_the_row_and_answers_it(client, db, main):
    response = client.put("/products/1", json=NEW_KETTLE)
    assert response.status_code == 200, (
        f"PUT /products/1 answered {response.status_code}: {short(response.text)}"
    )
    updated = {"id": 1, **NEW_KETTLE}
    assert response.json() == updated, f"PUT /products/1 answered {short(response.text)}"
    assert stored_product(db, main, 1) == updated, (
        f"after PUT /products/1 the database holds {stored_product(db, main, 1)}"
    )


@pytest.mark.task(3)
def test_put_of_an_unknown_product_is_404(client):
    response = client.put("/products/99", json=NEW_KETTLE)
    assert response.status_code == 404, (
        f"PUT /products/99 (no such product) answered {response.status_code}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "After `db.commit()`, `cache.delete(key)`: the next GET is a MISS that reads the new row. "
    "Writing the new value into the cache instead is another strategy (write-through), not "
    "the one asked for."
)
def test_put_deletes_the_cached_entry(client, cache):
    expect(fetch(client, 1), "MISS", KETTLE, "the first GET /products/1")
    response = client.put("/products/1", json=NEW_KETTLE)
    assert response.status_code == 200, f"PUT /products/1 answered {response.status_code}"
    assert cache.exists("product:1") == 0, (
        f"after PUT /products/1, Redis still holds 'product:1': {cache.get('product:1')!r}"
    )
    updated = {"id": 1, **NEW_KETTLE}
    expect(fetch(client, 1), "MISS", updated, "the first GET /products/1 after the PUT")
    expect(fetch(client, 1), "HIT", updated, "the second GET /products/1 after the PUT")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Delete the key after `db.commit()`, not before it (nor after a mere flush): a GET that "
    "runs between the delete and the commit caches the old row again."
)
def test_put_deletes_after_the_commit(client, db, cache):
    fetch(client, 1)

    def a_get_runs_now(_connection):
        # What a GET running at this moment does: it still reads the old row and caches it.
        cache.set("product:1", json.dumps(KETTLE), ex=60)

    event.listen(db.engine, "commit", a_get_runs_now)
    try:
        response = client.put("/products/1", json=NEW_KETTLE)
    finally:
        event.remove(db.engine, "commit", a_get_runs_now)
    assert response.status_code == 200, f"PUT /products/1 answered {response.status_code}"
    response = fetch(client, 1, what="GET /products/1 after the PUT")
    assert response.json() == {"id": 1, **NEW_KETTLE}, (
        "a GET that ran while the PUT was committing cached the old row, and it was still "
        f"answered after the PUT: {short(response.text)} (X-Cache: {x_cache(response)})"
    )
    expect(response, "MISS", {"id": 1, **NEW_KETTLE}, "the first GET /products/1 after the PUT")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Build the key from the product's id, the int `product_id`, never from the path as it was "
    "typed: GET /products/01 reads product 1, whose key is 'product:1', so the PUT's delete "
    "reaches it."
)
def test_put_invalidates_a_product_requested_as_01(client, cache):
    expect(fetch(client, "01"), "MISS", KETTLE, "the first GET /products/01")
    keys = sorted(cache.keys("*"))
    assert keys == ["product:1"], (
        f"after GET /products/01 (product 1), Redis holds the keys {keys}, not ['product:1']"
    )
    response = client.put("/products/1", json=NEW_KETTLE)
    assert response.status_code == 200, f"PUT /products/1 answered {response.status_code}"
    updated = {"id": 1, **NEW_KETTLE}
    response = fetch(client, "01", what="GET /products/01 after PUT /products/1")
    expect(response, "MISS", updated, "GET /products/01 after PUT /products/1")


# --- Task 4: Redis down -------------------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Wrap the cache calls in `try: ... except redis.exceptions.ConnectionError:` and answer "
    "from the database with `response.headers['X-Cache'] = 'BYPASS'`."
)
def test_redis_down_get_answers_from_the_database(client, server):
    server.connected = False
    response = fetch(client, 1, what="GET /products/1 while Redis is down")
    expect(response, "BYPASS", KETTLE, "GET /products/1 while Redis is down")


@pytest.mark.task(4)
def test_redis_down_unknown_product_is_404(client, server):
    server.connected = False
    fetch(client, 99, status=404, what="GET /products/99 (no such product) while Redis is down")


@pytest.mark.task(4)
@pytest.mark.hint(
    "Redis can go down between a MISS's read and its write: catch ConnectionError around "
    "`cache.set` too, and answer the product you read with X-Cache: BYPASS, not a 500."
)
def test_redis_down_after_the_read_still_answers(client, cache, server, monkeypatch):
    command = cache.execute_command

    def goes_down_after_this_one(*args, **options):
        try:
            return command(*args, **options)
        finally:
            server.connected = False  # the outage starts right after the request's first command

    monkeypatch.setattr(cache, "execute_command", goes_down_after_this_one)
    response = fetch(client, 1, what="GET /products/1 with Redis going down after its read")
    expect(response, "BYPASS", KETTLE, "GET /products/1 with Redis going down after its read")


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The commit has happened by the time you delete the key: if the delete raises "
    "ConnectionError, catch it and still answer 200 (the stale entry expires within 60 s)."
)
def test_redis_down_put_still_commits(client, db, main, server):
    server.connected = False
    response = client.put("/products/1", json=NEW_KETTLE)
    assert response.status_code == 200, (
        f"PUT /products/1 while Redis is down answered {response.status_code}: "
        f"{short(response.text)}"
    )
    updated = {"id": 1, **NEW_KETTLE}
    assert stored_product(db, main, 1) == updated, (
        f"after PUT /products/1 while Redis was down, the database holds "
        f"{stored_product(db, main, 1)}"
    )


@pytest.mark.task(4)
@pytest.mark.hint(
    "Try Redis on every request: a flag that switches the cache off after one error keeps it "
    "off for good."
)
def test_the_cache_is_used_again_once_redis_is_back(client, server):
    server.connected = False
    expect(fetch(client, 1), "BYPASS", KETTLE, "GET /products/1 while Redis is down")
    server.connected = True
    expect(fetch(client, 1), "MISS", KETTLE, "the first GET /products/1 once Redis is back")
    expect(fetch(client, 1), "HIT", KETTLE, "the second GET /products/1 once Redis is back")
