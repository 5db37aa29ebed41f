import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, insert, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

SEED = [("acme", "A-1", 1500), ("globex", "G-1", 990), ("acme", "A-2", 2500)]


# ------------------------------------------------------------------------------------ helpers


@pytest.fixture
def main(learner):
    main = learner("main")
    for name in ("app", "get_db", "Base", "Tenant", "Order"):
        assert hasattr(main, name), f"main.py defines no `{name}`"
    return main


@pytest.fixture
def engine(main):
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )

    @event.listens_for(engine, "connect")
    def foreign_keys_on(dbapi_connection, record):
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    main.Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


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


@pytest.fixture
def client(main, engine):
    """The app, with get_db overridden to hand out plain sessions on the test database."""
    TestingSession = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)

    def override_get_db():
        with TestingSession() as session:
            yield session

    main.app.dependency_overrides[main.get_db] = override_get_db
    try:
        yield TestClient(main.app, raise_server_exceptions=False)
    finally:
        main.app.dependency_overrides.pop(main.get_db, None)


def stored(main, engine):
    """(tenant_id, number, total_cents) of every order, read through a fresh session."""
    table = main.Order.__table__
    with Session(engine) as session:
        rows = session.execute(
            select(table.c.tenant_id, table.c.number, table.c.total_cents).order_by(table.c.id)
        )
        return [tuple(row) for row in rows]


def as_tenant(slug):
    return {"X-Tenant-ID": slug}


def numbers(client, slug):
    response = client.get("/orders", headers=as_tenant(slug))
    assert response.status_code == 200, (
        f"GET /orders as {slug} answered {response.status_code}: {response.text[:200]}"
    )
    body = response.json()
    assert isinstance(body, list), f"GET /orders as {slug} answered {body!r}, not a list"
    return [item.get("number") for item in body]


ORDER = {"number": "N-1", "total_cents": 100}


def call(client, method, path, headers):
    return client.request(method, path, headers=headers, json=ORDER if method == "POST" else None)


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


# --------------------------------------------------------------- Task 2: reads are isolated


@pytest.mark.task(2)
@pytest.mark.points(4)
@pytest.mark.hint(
    "GET /orders must return only the caller's orders: filter every SELECT of Order on the "
    "tenant (with_loader_criteria in a do_orm_execute hook, or .where(Order.tenant_id == ...))."
)
def test_list_shows_only_the_callers_orders(client, orders):
    assert numbers(client, "acme") == ["A-1", "A-2"], (
        f"GET /orders as acme listed {numbers(client, 'acme')}, expected ['A-1', 'A-2']"
    )
    assert numbers(client, "globex") == ["G-1"], (
        f"GET /orders as globex listed {numbers(client, 'globex')}, expected ['G-1']"
    )
    assert numbers(client, "initech") == [], (
        f"GET /orders as initech (no orders) listed {numbers(client, 'initech')}"
    )


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
@pytest.mark.points(4)
@pytest.mark.hint(
    "Filter the lookup by id on the tenant too: another tenant's order must be as invisible as "
    "an order that does not exist, so both answer the same 404. A 403 (or 200) tells the "
    "caller that the id exists."
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
@pytest.mark.points(2)
@pytest.mark.hint(
    "The body must not choose the tenant: forbid unknown fields with "
    'model_config = ConfigDict(extra="forbid"), so a tenant_id answers 422.'
)
@pytest.mark.parametrize("owner", ["globex", "acme"], ids=["other-tenant", "own-tenant"])
def test_tenant_id_in_the_body_is_422(main, engine, client, tenants, owner):
    payload = {"number": "A-9", "total_cents": 100, "tenant_id": tenants[owner]}
    response = client.post("/orders", headers=as_tenant("acme"), json=payload)
    assert response.status_code == 422, (
        f"POST /orders as acme with tenant_id={tenants[owner]} ({owner}) in the body answered "
        f"{response.status_code}, not 422"
    )
    assert stored(main, engine) == [], f"the refused order was stored: {stored(main, engine)}"


@pytest.mark.task(3)
@pytest.mark.hint("number: 1-32 characters; total_cents: an integer >= 0; both required.")
@pytest.mark.parametrize(
    "payload",
    [{"number": "A-9"}, {"number": "", "total_cents": 100}, {"number": "A-9", "total_cents": -1}],
    ids=["no-total", "empty-number", "negative-total"],
)
def test_invalid_order_body_is_422(main, engine, client, tenants, payload):
    response = client.post("/orders", headers=as_tenant("acme"), json=payload)
    assert response.status_code == 422, (
        f"POST /orders with {payload} answered {response.status_code}, not 422"
    )
    assert stored(main, engine) == [], f"the refused order was stored: {stored(main, engine)}"
