import asyncio
import threading

import anyio
import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.util import find_tables

from grader import testing

# (tenant, number, total_cents), inserted in this order: by id, acme's are, which
# is neither the order of their numbers nor of their totals.
SEED = [
    ("acme", "A-1", 1500),
    ("globex", "G-1", 990),
    ("acme", "A-2", 2500),
    ("acme", "A-0", 700),
]
ACME = ["A-1", "A-2", "A-0"]
# A failsafe for the race test only: it waits on events, and this bounds a wait that would
# otherwise hang if the app never reaches the point the test holds it at.
FAILSAFE_SECONDS = 5
# Turns the app and the test take on one worker thread, at most (a request needs a handful).
MAX_TURNS = 12


# ------------------------------------------------------------------------------------ helpers


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "get_db", "Base", "Tenant", "Order")


@pytest.fixture(scope="module")
def module_engine(learner):
    """One in-memory test database for the module (one connection for all threads): a new
    engine per test would also compile every statement again (SQLAlchemy caches per engine)."""
    main = learner.require("main", "app", "get_db", "Base", "Tenant", "Order")
    engine = testing.memory_engine(main.Base.metadata)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def module_client(learner):
    """A client of the app for the module, its requests on one event loop."""
    main = learner.require("main", "app", "get_db", "Base", "Tenant", "Order")
    with testing.looped_client(main.app) as client:
        yield client


@pytest.fixture
def engine(main, module_engine):
    """The module's database, emptied for this test, answering unordered SELECTs in table order
    again; get_db is overridden to hand out plain sessions on it during the test."""
    testing.empty_database(module_engine, main.Base.metadata)
    with testing.overridden_db(main.app, main.get_db, module_engine):
        yield module_engine


@pytest.fixture
def client(engine, module_client):
    return module_client


@pytest.fixture
def tenants(main, engine):
    """Three tenants, written with Core (no ORM events): {slug: id}."""
    table = main.Tenant.__table__
    with engine.begin() as conn:
        for slug in ("acme", "globex", "initech"):
            conn.execute(insert(table).values(slug=slug))
        return dict(conn.execute(select(table.c.slug, table.c.id)).all())


@pytest.fixture
def orders(main, engine, tenants):
    """SEED written with Core: {number: id}. initech has no orders."""
    table = main.Order.__table__
    with engine.begin() as conn:
        for slug, number, total in SEED:
            conn.execute(
                insert(table).values(tenant_id=tenants[slug], number=number, total_cents=total)
            )
        return dict(conn.execute(select(table.c.number, table.c.id)).all())


def stored(main, engine):
    """(tenant_id, number, total_cents) of every order, read through a fresh session."""
    table = main.Order.__table__
    with Session(engine) as session:
        rows = session.execute(
            select(table.c.tenant_id, table.c.number, table.c.total_cents).order_by(table.c.id)
        )
        return [tuple(row) for row in rows]


def unordered_selects_reversed(engine):
    """SQLite answers a SELECT without ORDER BY in the order of its table, which here is id
    order too; from now on it answers such a SELECT the other way round, so only an ORDER BY
    gives the order the prompt asks for."""
    with engine.connect() as conn:  # the test database's one connection
        conn.exec_driver_sql("PRAGMA reverse_unordered_selects = ON")


def as_tenant(slug):
    return {"X-Tenant-ID": slug}


def listed(response, slug):
    assert response.status_code == 200, (
        f"GET /orders as {slug} answered {response.status_code}: {response.text[:200]}"
    )
    body = response.json()
    assert isinstance(body, list), f"GET /orders as {slug} answered {body!r}, not a list"
    return [item.get("number") for item in body]


def numbers(client, slug):
    return listed(client.get("/orders", headers=as_tenant(slug)), slug)


ORDER = {"number": "N-1", "total_cents": 100}


def call(client, method, path, headers):
    return client.request(method, path, headers=headers, json=ORDER if method == "POST" else None)


class HoldFirstOrdersSelect:
    """Holds the first SELECT on orders that any Session runs, before the app's own
    do_orm_execute hooks see it, until `release` is set. `progress` is set once it is held."""

    def __init__(self):
        self.progress = threading.Event()
        self.release = threading.Event()
        self.held = False
        self._lock = threading.Lock()

    def __call__(self, state: ORMExecuteState) -> None:
        if not state.is_select:
            return
        try:
            names = {getattr(t, "name", None) for t in find_tables(state.statement)}
        except Exception:
            return
        if "orders" not in names:
            return
        with self._lock:
            if self.held:
                return
            self.held = True
        self.progress.set()
        self.release.wait(FAILSAFE_SECONDS)

    def __enter__(self):
        # insert=True: before the listeners the app put on the Session class.
        event.listen(Session, "do_orm_execute", self, insert=True)
        return self

    def __exit__(self, *exc):
        self.release.set()
        event.remove(Session, "do_orm_execute", self)


class OneWorkerThread:
    """The event loop of `portal` runs sync code (dependencies, handlers) in a single worker
    thread, as a server with a pool of one thread would, and the test takes turns with the app
    on it. `taken` is set while the test holds the thread; `pass_one()` hands it to the app's
    next piece of sync code and queues the test right behind it."""

    def __init__(self, portal):
        self.portal = portal
        self.limiter = portal.call(anyio.to_thread.current_default_thread_limiter)
        self.tokens = self.limiter.total_tokens
        self.me = object()
        self.taken = threading.Event()
        self.waiting = None

    async def _take(self):
        await self.limiter.acquire_on_behalf_of(self.me)
        self.taken.set()

    def _queue(self):
        self.taken.clear()
        self.waiting = asyncio.get_running_loop().create_task(self._take())

    def _pass_one(self):
        if self.me in self.limiter.statistics().borrowers:
            self.limiter.release_on_behalf_of(self.me)  # to the first in line, if any
        self._queue()

    def pass_one(self):
        self.portal.call(self._pass_one)

    def _stop(self):
        if self.waiting is not None:
            self.waiting.cancel()
        if self.me in self.limiter.statistics().borrowers:
            self.limiter.release_on_behalf_of(self.me)
        self.limiter.total_tokens = self.tokens

    def __enter__(self):
        self.portal.call(setattr, self.limiter, "total_tokens", 1)
        self.portal.call(self._queue)
        return self

    def __exit__(self, *exc):
        self.portal.call(self._stop)


# ---------------------------------------------------------- Task 1: the tenant of a request


@pytest.mark.task(1)
@pytest.mark.hint(
    "Declare the header as optional, `x_tenant_id: Annotated[str | None, Header()] = None`, and "
    "raise HTTPException(400) yourself when it is None: a required Header() makes FastAPI "
    "answer 422."
)
@pytest.mark.parametrize(
    "method, path", [("GET", "/orders"), ("GET", "/orders/1"), ("POST", "/orders")]
)
def test_missing_tenant_header_is_400(main, engine, client, orders, method, path):
    before = stored(main, engine)
    response = call(client, method, path, {})
    assert response.status_code == 400, (
        f"{method} {path} without X-Tenant-ID answered {response.status_code}, not 400"
    )
    assert stored(main, engine) == before, "a request without a tenant changed the orders"


@pytest.mark.task(1)
@pytest.mark.hint(
    "An empty header (X-Tenant-ID: ) is treated as missing: refuse it with 400 before any "
    'lookup, `if not x_tenant_id:` (None or "") rather than `if x_tenant_id is None:`.'
)
@pytest.mark.parametrize(
    "method, path", [("GET", "/orders"), ("GET", "/orders/1"), ("POST", "/orders")]
)
def test_empty_tenant_header_is_400(main, engine, client, orders, method, path):
    before = stored(main, engine)
    response = call(client, method, path, as_tenant(""))
    assert response.status_code == 400, (
        f"{method} {path} with an empty X-Tenant-ID header answered {response.status_code}, "
        "not 400: an empty header is treated as missing"
    )
    assert stored(main, engine) == before, "a request with an empty tenant changed the orders"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Look the tenant up by its slug; when there is none, raise HTTPException(403): the caller "
    "names a tenant it does not belong to."
)
@pytest.mark.parametrize(
    "method, path", [("GET", "/orders"), ("GET", "/orders/1"), ("POST", "/orders")]
)
def test_unknown_tenant_is_403(main, engine, client, orders, method, path):
    before = stored(main, engine)
    response = call(client, method, path, as_tenant("umbrella"))
    assert response.status_code == 403, (
        f"{method} {path} as the unknown tenant 'umbrella' answered {response.status_code}, not 403"
    )
    assert stored(main, engine) == before, "a request for an unknown tenant changed the orders"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Compare the slug exactly (Tenant.slug == slug): 'ACME' is not acme, and '%' or '_' are "
    "plain characters, not patterns (no like/ilike)."
)
@pytest.mark.parametrize("slug", ["ACME", "%", "acm_"])
def test_a_slug_matches_only_itself(client, orders, slug):
    response = client.get("/orders", headers=as_tenant(slug))
    assert response.status_code == 403, (
        f"GET /orders as the unknown tenant {slug!r} (the tenants are acme, globex, initech) "
        f"answered {response.status_code}, not 403: {response.text[:200]}"
    )


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Look the tenant up in the request's database on every request: a module-level cache of "
    "slug -> id outlives the database it was read from, and on another database the same slug "
    "has another id, or no tenant at all."
)
def test_tenants_are_looked_up_in_the_current_database(main, client, orders, db_client):
    for slug in ("acme", "globex", "initech"):
        numbers(client, slug)  # the app has now seen each tenant of the first database
    second = db_client(main)  # a new database: globex is tenant 1, acme 2, no initech
    with second.engine.begin() as conn:
        for slug in ("globex", "acme"):
            conn.execute(insert(main.Tenant.__table__).values(slug=slug))
        table = main.Tenant.__table__
        ids = dict(conn.execute(select(table.c.slug, table.c.id)).all())
        for slug, number in (("globex", "G-5"), ("acme", "A-5")):
            conn.execute(
                insert(main.Order.__table__).values(
                    tenant_id=ids[slug], number=number, total_cents=100
                )
            )
    for slug, expected in (("globex", ["G-5"]), ("acme", ["A-5"])):
        found = numbers(second.client, slug)
        assert found == expected, (
            f"on a new database where {slug} is tenant {ids[slug]}, GET /orders as {slug} "
            f"listed {found}, expected {expected}"
        )
    response = second.client.get("/orders", headers=as_tenant("initech"))
    assert response.status_code == 403, (
        f"on a new database without initech, GET /orders as initech answered "
        f"{response.status_code}, not 403"
    )


# --------------------------------------------------------------- Task 2: reads are isolated


@pytest.mark.task(2)
@pytest.mark.points(9)  # isolation: the weight of a whole task
@pytest.mark.hint(
    "GET /orders must return only the caller's orders: filter every SELECT of Order on the "
    "tenant (with_loader_criteria in a do_orm_execute hook, or .where(Order.tenant_id == ...))."
)
def test_list_shows_only_the_callers_orders(client, orders):
    acme = numbers(client, "acme")
    assert sorted(acme) == sorted(ACME), (
        f"GET /orders as acme listed {acme}, expected acme's orders {ACME} only"
    )
    globex = numbers(client, "globex")
    assert globex == ["G-1"], f"GET /orders as globex listed {globex}, expected ['G-1']"
    initech = numbers(client, "initech")
    assert initech == [], f"GET /orders as initech (no orders) listed {initech}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "order_by(Order.id): the list comes in the order the orders were stored, each item "
    "{'id', 'number', 'total_cents'}."
)
def test_list_is_ordered_by_id(engine, client, orders):
    unordered_selects_reversed(engine)
    response = client.get("/orders", headers=as_tenant("acme"))
    found = listed(response, "acme")
    assert found == ACME, (
        f"GET /orders as acme listed {found}; by id (the order they were stored in) they are {ACME}"
    )
    totals = {"A-1": 1500, "A-2": 2500, "A-0": 700}
    expected = [{"id": orders[n], "number": n, "total_cents": totals[n]} for n in ACME]
    shown = [
        {key: item.get(key) for key in ("id", "number", "total_cents")} for item in response.json()
    ]
    assert shown == expected, f"GET /orders as acme answered {response.json()}"


@pytest.mark.task(2)
@pytest.mark.hint("GET /orders/{id} answers 200 with {'id', 'number', 'total_cents'}.")
def test_read_own_order_by_id(client, orders):
    response = client.get(f"/orders/{orders['A-2']}", headers=as_tenant("acme"))
    assert response.status_code == 200, (
        f"GET /orders/{orders['A-2']} (acme's A-2) as acme answered {response.status_code}"
    )
    body = response.json()
    expected = {"id": orders["A-2"], "number": "A-2", "total_cents": 2500}
    shown = {key: body.get(key) for key in expected}
    assert shown == expected, f"acme's order A-2 was answered as {body}"


@pytest.mark.task(2)
@pytest.mark.points(9)  # isolation: the weight of a whole task
@pytest.mark.hint(
    "Filter the lookup by id on the tenant too (db.get(Order, id) goes through do_orm_execute "
    "as well; an explicit query needs .where(Order.tenant_id == ...)): another tenant's order "
    "must never be answered."
)
def test_other_tenants_order_is_never_shown(client, orders):
    other = client.get(f"/orders/{orders['G-1']}", headers=as_tenant("acme"))
    assert other.status_code != 200 and "G-1" not in other.text, (
        f"GET /orders/{orders['G-1']} (globex's order G-1) as acme answered "
        f"{other.status_code}: {other.text[:200]}"
    )


@pytest.mark.task(2)
@pytest.mark.points(9)  # isolation: the existence of another tenant's order must not leak
@pytest.mark.hint(
    "Another tenant's order must be as invisible as an order that does not exist, so both "
    "answer the same 404. A 403 tells the caller that the id exists."
)
def test_other_tenants_order_is_404_like_a_missing_one(client, orders):
    own = client.get(f"/orders/{orders['A-1']}", headers=as_tenant("acme"))
    assert own.status_code == 200, (
        f"GET /orders/{orders['A-1']} (acme's own order) as acme answered {own.status_code}"
    )
    other = client.get(f"/orders/{orders['G-1']}", headers=as_tenant("acme"))
    assert other.status_code == 404, (
        f"GET /orders/{orders['G-1']} (globex's order) as acme answered {other.status_code}, "
        f"not 404: {other.text[:200]}"
    )
    missing = client.get("/orders/999999", headers=as_tenant("acme"))
    assert missing.status_code == 404, f"GET /orders/999999 answered {missing.status_code}"
    assert other.json() == missing.json(), (
        f"another tenant's order answered {other.json()}, a missing one {missing.json()}: "
        "the difference tells the caller which ids exist"
    )


@pytest.mark.task(2)
@pytest.mark.points(9)  # isolation: the weight of a whole task
@pytest.mark.hint(
    "Keep the tenant with the request: in its session (session.info) or in what the dependency "
    "returns. A module-level variable holds the tenant of whichever request set it last, so "
    "two requests in flight at once read each other's orders."
)
def test_a_request_keeps_its_tenant_while_another_runs(main, orders, app_client):
    client = app_client(main.app)  # an event loop of its own, which ends with this test
    # globex's request goes through another client: an event loop of its own, which acme's
    # request does not block even when it is held in async code.
    other = app_client(main.app)
    answers = {}
    with HoldFirstOrdersSelect() as hold:

        def acme_lists():
            try:
                answers["acme"] = client.get("/orders", headers=as_tenant("acme"))
            finally:
                hold.progress.set()  # also when it finished without a SELECT on orders

        first = threading.Thread(target=acme_lists, daemon=True)
        first.start()
        reached = hold.progress.wait(FAILSAFE_SECONDS)
        assert reached, "GET /orders as acme neither reached its SELECT on orders nor finished"
        globex = numbers(other, "globex")  # runs to its end while acme's request is held
        hold.release.set()
        first.join(FAILSAFE_SECONDS)
    assert not first.is_alive(), "GET /orders as acme did not finish once it was let go"
    assert globex == ["G-1"], (
        f"GET /orders as globex, sent while acme's request was in flight, listed {globex}"
    )
    assert "acme" in answers, "GET /orders as acme raised instead of answering"
    acme = listed(answers["acme"], "acme")
    assert sorted(acme) == sorted(ACME), (
        f"GET /orders as acme, held just before its query while globex's request ran, listed "
        f"{acme}: it used the tenant of the other request"
    )


@pytest.mark.task(2)
@pytest.mark.points(9)  # isolation: the weight of a whole task
@pytest.mark.hint(
    "Keep the tenant with the request: in its session (session.info) or in what the dependency "
    "returns, and build the handler's query from that. A module-level variable set by the "
    "dependency and read by the handler holds the tenant of whichever request set it last: "
    "another request's dependency can run between yours and your handler."
)
def test_a_request_keeps_its_tenant_from_its_dependency_to_its_handler(main, orders, app_client):
    client = app_client(main.app)  # an event loop of its own, which ends with this test
    assert numbers(client, "initech") == []  # starts the client's event loop
    other = app_client(main.app)  # another client: its own event loop and worker threads
    answers = {}
    acme_done = threading.Event()
    with OneWorkerThread(client.portal) as worker:
        assert worker.taken.wait(FAILSAFE_SECONDS), "the test could not take the worker thread"

        def acme_lists():
            try:
                answers["acme"] = client.get("/orders", headers=as_tenant("acme"))
            finally:
                acme_done.set()
                worker.taken.set()

        first = threading.Thread(target=acme_lists, daemon=True)
        first.start()
        # Before each piece of sync code of acme's request (dependencies, handler), globex's
        # request runs to its end.
        for _ in range(MAX_TURNS):
            globex = numbers(other, "globex")
            assert globex == ["G-1"], (
                f"GET /orders as globex, sent while acme's request was in flight, listed {globex}"
            )
            if acme_done.is_set():
                break
            worker.pass_one()
            worker.taken.wait(FAILSAFE_SECONDS)
    first.join(FAILSAFE_SECONDS)
    assert not first.is_alive(), "GET /orders as acme did not finish"
    assert "acme" in answers, "GET /orders as acme raised instead of answering"
    acme = listed(answers["acme"], "acme")
    assert sorted(acme) == sorted(ACME), (
        f"GET /orders as acme listed {acme} when globex's requests ran between the steps of "
        "acme's request (its dependencies, its handler): it used the tenant of the other request"
    )


# ------------------------------------------------------------- Task 3: writes are stamped


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Set tenant_id from the request's tenant, never from the body: a before_flush hook that "
    "stamps session.new objects, or Order(tenant_id=tenant.id, ...) in the handler."
)
def test_created_order_belongs_to_the_header_tenant(main, engine, client, tenants):
    response = client.post(
        "/orders", headers=as_tenant("globex"), json={"number": "G-7", "total_cents": 1250}
    )
    assert response.status_code == 201, (
        f"POST /orders as globex answered {response.status_code}: {response.text[:200]}"
    )
    body = response.json()
    assert {k: body.get(k) for k in ("number", "total_cents")} == {
        "number": "G-7",
        "total_cents": 1250,
    }, f"POST /orders answered {body}"
    rows = stored(main, engine)
    assert rows == [(tenants["globex"], "G-7", 1250)], (
        f"after globex created G-7 the orders table holds {rows} (globex is tenant "
        f"{tenants['globex']})"
    )
    assert isinstance(body.get("id"), int), f"POST /orders answered the id {body.get('id')!r}"
    assert numbers(client, "globex") == ["G-7"] and numbers(client, "acme") == [], (
        "the new order is not listed for globex only"
    )


@pytest.mark.task(3)
@pytest.mark.points(9)  # isolation: the weight of a whole task
@pytest.mark.hint(
    "The tenant of a new order is the header's, whatever the body says: forbid a tenant_id in "
    'the body (extra="forbid") and stamp tenant_id from the request\'s tenant.'
)
def test_a_body_never_puts_an_order_into_another_tenant(main, engine, client, tenants, orders):
    before = stored(main, engine)
    payload = {"number": "A-9", "total_cents": 100, "tenant_id": tenants["globex"]}
    response = client.post("/orders", headers=as_tenant("acme"), json=payload)
    planted = [
        row for row in stored(main, engine) if row not in before and row[0] != tenants["acme"]
    ]
    assert not planted, (
        f"POST /orders as acme with globex's tenant_id in the body answered "
        f"{response.status_code} and stored {planted} for tenant {tenants['globex']} (globex)"
    )
    globex = numbers(client, "globex")
    assert globex == ["G-1"], f"after acme's POST, GET /orders as globex lists {globex}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The body must not choose the tenant: forbid unknown fields with "
    'model_config = ConfigDict(extra="forbid"), so a tenant_id answers 422.'
)
@pytest.mark.parametrize(
    "owner", ["globex", "acme", None], ids=["other-tenant", "own-tenant", "null"]
)
def test_tenant_id_in_the_body_is_422(main, engine, client, tenants, owner):
    value = tenants[owner] if owner else None
    payload = {"number": "A-9", "total_cents": 100, "tenant_id": value}
    response = client.post("/orders", headers=as_tenant("acme"), json=payload)
    assert response.status_code == 422, (
        f"POST /orders as acme with tenant_id={value!r} ({owner or 'null'}) in the body "
        f"answered {response.status_code}, not 422"
    )
    assert stored(main, engine) == [], f"the refused order was stored: {stored(main, engine)}"


@pytest.mark.task(3)
@pytest.mark.hint("number: 1-32 characters; total_cents: an integer >= 0; both required.")
@pytest.mark.parametrize(
    "payload",
    [
        {"number": "A-9"},
        {"total_cents": 100},
        {"number": "", "total_cents": 100},
        {"number": "N" * 33, "total_cents": 100},
        {"number": "A-9", "total_cents": -1},
        {"number": "A-9", "total_cents": 1.5},
    ],
    ids=["no-total", "no-number", "empty-number", "number-of-33", "negative-total", "half-cent"],
)
def test_invalid_order_body_is_422(main, engine, client, tenants, payload):
    response = client.post("/orders", headers=as_tenant("acme"), json=payload)
    assert response.status_code == 422, (
        f"POST /orders with {payload} answered {response.status_code}, not 422"
    )
    assert stored(main, engine) == [], f"the refused order was stored: {stored(main, engine)}"


@pytest.mark.task(3)
@pytest.mark.hint(
    "number may be 32 characters long (characters, not UTF-8 bytes: max_length=32), and "
    "total_cents 0."
)
@pytest.mark.parametrize("number", ["N" * 32, "\u00e9" * 32], ids=["ascii", "accented"])
def test_longest_number_and_zero_total_are_accepted(main, engine, client, tenants, number):
    payload = {"number": number, "total_cents": 0}
    response = client.post("/orders", headers=as_tenant("acme"), json=payload)
    assert response.status_code == 201, (
        f"POST /orders with the 32-character number {number!r} and total_cents 0 answered "
        f"{response.status_code}: {response.text[:200]}"
    )
    assert stored(main, engine) == [(tenants["acme"], number, 0)], (
        f"the orders table holds {stored(main, engine)}"
    )
