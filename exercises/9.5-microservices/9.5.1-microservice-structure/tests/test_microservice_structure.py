"""Hidden tests for 9.5.1.

Both services run in this process: users_app behind `httpx.ASGITransport`, each on its own
SQLite file in the test's tmp_path. A users service that is down, slow or failing is an
`httpx.MockTransport`.
"""

import ast
import contextlib
import sqlite3

import anyio
import httpx
import pytest
import sqlalchemy
from sqlalchemy.engine import Dialect

from grader import testing

ORDER = {"user_id": 1, "item": "keyboard", "quantity": 2}


@pytest.fixture
def packages(learner):
    users = learner.require("users_service", "create_app")
    orders = learner.require("orders_service", "create_app", "UsersClient")
    return users, orders


@pytest.fixture
def http_clients():
    """AsyncClients handed to UsersClient; closed after the test."""
    made = []

    def make(transport, base_url="http://users"):
        client = httpx.AsyncClient(transport=transport, base_url=base_url)
        made.append(client)
        return client

    yield make
    for client in made:
        anyio.run(client.aclose)


@pytest.fixture
def users(packages, tmp_path, app_client):
    """The users app (lifespan running) and its TestClient."""
    users_service, _ = packages
    app = users_service.create_app(f"sqlite:///{tmp_path / 'users.db'}")
    return app, app_client(app, lifespan=True)


@pytest.fixture
def orders_with(packages, tmp_path, app_client, http_clients):
    """`orders_with(transport)`: a TestClient of an orders app (lifespan running) whose
    UsersClient goes through `transport`."""
    _, orders_service = packages

    def make(transport, base_url="http://users"):
        users_client = orders_service.UsersClient(http_clients(transport, base_url))
        app = orders_service.create_app(f"sqlite:///{tmp_path / 'orders.db'}", users_client)
        return app_client(app, lifespan=True)

    return make


@pytest.fixture(scope="module")
def shared_apps(learner, tmp_path_factory):
    """`shared_apps(make)`: a TestClient (lifespan running) of the app `make(packages, folder)`
    builds, one per `make` for the whole module, for the tests whose requests store nothing (a
    422 from validation, a 404, a 503 checked against the orders listed before it): building
    an app and running its startup is most of what such a test costs."""
    opened, clients, http = [], {}, []

    def get(make):
        if make not in clients:
            packages = (
                learner.require("users_service", "create_app"),
                learner.require("orders_service", "create_app", "UsersClient"),
            )
            app = make(packages, tmp_path_factory.mktemp(make.__name__), http)
            client = testing.client_for(app)
            client.__enter__()
            opened.append(client)
            clients[make] = client
        return clients[make]

    yield get
    for client in reversed(opened):
        client.__exit__(None, None, None)
    for client in http:
        anyio.run(client.aclose)


def users_app(packages, folder, http):
    users_service, _ = packages
    return users_service.create_app(f"sqlite:///{folder / 'users.db'}")


class SwitchedUsers:
    """A users service whose behaviour each test sets (`.handler = ...`), for the orders app the
    tests share."""

    handler = staticmethod(lambda request: httpx.Response(404, json={"detail": "not set"}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return self.handler(request)


switched_users = SwitchedUsers()


def orders_app_on_switched_users(packages, folder, http):
    _, orders_service = packages
    client = httpx.AsyncClient(
        transport=httpx.MockTransport(switched_users), base_url="http://users"
    )
    http.append(client)
    users_client = orders_service.UsersClient(client)
    return orders_service.create_app(f"sqlite:///{folder / 'orders.db'}", users_client)


@pytest.fixture
def shared_users(shared_apps):
    """A users app (lifespan running) shared by the tests that store no user."""
    return shared_apps(users_app)


@pytest.fixture
def shared_orders(shared_apps):
    """`shared_orders(handler)`: the orders app (lifespan running) shared by the tests whose
    requests store no order, its users service answering with `handler` from now on."""

    def switch(handler):
        switched_users.handler = handler
        return shared_apps(orders_app_on_switched_users)

    yield switch
    switched_users.handler = SwitchedUsers.handler


@pytest.fixture
def service_client(request):
    """The TestClient of the `service` a test is parametrized with: the users app alone, or the
    orders app wired to a users app."""
    if request.getfixturevalue("service") == "users":
        return request.getfixturevalue("users")[1]
    return request.getfixturevalue("wired")[1]


@pytest.fixture
def wired(users, orders_with):
    """Both services wired in-process: (users TestClient, orders TestClient)."""
    users_app, users_client = users
    return users_client, orders_with(httpx.ASGITransport(app=users_app))


def fake_users(request: httpx.Request) -> httpx.Response:
    if request.method == "GET" and request.url.path == "/users/7":
        return httpx.Response(200, json={"id": 7, "name": "Zed"})
    return httpx.Response(404, json={"detail": "user not found"})


def raising(error):
    def handler(request):
        raise error("users service unreachable", request=request)

    return handler


@contextlib.contextmanager
def before_each_statement_on(path, action):
    """Within the block, `action(cursor)` runs before every statement an engine runs on the
    SQLite file `path` (SQLAlchemy's do_execute events, on every dialect)."""

    def before(cursor, statement, *rest):
        context = rest[-1]
        if str(context.root_connection.engine.url.database or "").endswith(str(path)):
            action(cursor)

    hooks = ["do_execute", "do_execute_no_params"]
    for hook in hooks:
        sqlalchemy.event.listen(Dialect, hook, before)
    try:
        yield
    finally:
        for hook in hooks:
            sqlalchemy.event.remove(Dialect, hook, before)


def failing_queries(path):
    """Every statement an engine runs on the SQLite file `path` fails while the block runs, as
    when a database goes away (SQLAlchemy wraps the error in its OperationalError)."""

    def fail(cursor):
        raise sqlite3.OperationalError("disk I/O error")

    return before_each_statement_on(path, fail)


def reversed_scans(path):
    """Within the block, SQLite answers every SELECT without an ORDER BY that an engine runs on
    the SQLite file `path` in reverse (`PRAGMA reverse_unordered_selects`, turned on before each
    statement), so an order that only came from the table shows. The connections keep it on:
    only for an app the test builds for itself."""
    return before_each_statement_on(
        path, lambda cursor: cursor.execute("PRAGMA reverse_unordered_selects = ON")
    )


def check(response, what, status):
    assert response.status_code == status, (
        f"{what} answered {response.status_code}, expected {status}: {response.text[:300]}"
    )


def tables(path) -> set:
    """The tables really in the database file, read through an engine of our own."""
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    try:
        return set(sqlalchemy.inspect(engine).get_table_names())
    finally:
        engine.dispose()


# --- Task 1: the users service ----------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_users_are_created_and_read(users):
    _, client = users
    first = client.post("/users", json={"name": "Alice"})
    check(first, "POST /users", 201)
    second = client.post("/users", json={"name": "Bob"})
    check(second, "POST /users", 201)
    body = second.json()
    assert set(body) == {"id", "name"} and body["name"] == "Bob", f"POST /users answered {body}"
    assert body["id"] != first.json()["id"], "two users were given the same id"
    read = client.get(f"/users/{body['id']}")
    check(read, f"GET /users/{body['id']}", 200)
    assert read.json() == body, f"GET /users/{body['id']} answered {read.json()}, not {body}"


@pytest.mark.task(1)
def test_an_unknown_user_is_404(shared_users):
    client = shared_users
    check(client.get("/users/999"), "GET /users/999", 404)


@pytest.mark.task(1)
@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 101}])
def test_an_invalid_user_is_422(shared_users, body):
    client = shared_users
    check(client.post("/users", json=body), f"POST /users {str(body)[:40]}", 422)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep everything that depends on the URL inside create_app (the engine, the session "
    "factory, the dependency that yields sessions) or on app.state: a module-level session "
    "factory rebound by each create_app makes every app use the last URL."
)
def test_two_apps_keep_their_own_databases(packages, tmp_path, app_client):
    users_service, _ = packages
    one = app_client(users_service.create_app(f"sqlite:///{tmp_path / 'a.db'}"), lifespan=True)
    two = app_client(users_service.create_app(f"sqlite:///{tmp_path / 'b.db'}"), lifespan=True)
    check(one.post("/users", json={"name": "Alice"}), "POST /users on the first app", 201)
    listed = two.get("/users/1")
    assert listed.status_code == 404, (
        "a user created on the app for a.db is found by the app for b.db: create_app must build"
        " its own engine for the URL it is given"
    )


# --- Task 2: the orders service ---------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_an_order_for_an_existing_user_is_201(wired):
    users, orders = wired
    check(users.post("/users", json={"name": "Alice"}), "POST /users", 201)
    response = orders.post("/orders", json=ORDER)
    check(response, "POST /orders", 201)
    body = response.json()
    assert isinstance(body.get("id"), int) and {k: body.get(k) for k in ORDER} == ORDER, (
        f"POST /orders answered {body}, expected the order with its id"
    )
    assert set(body) == {"id", *ORDER}, f"POST /orders answered the keys {sorted(body)}"
    listed = orders.get("/orders")
    check(listed, "GET /orders", 200)
    assert listed.json() == [body], f"GET /orders answered {listed.json()}, expected [{body}]"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A 404 from users means the user does not exist: answer 422 with "
    '`{"detail": "unknown user"}`, and store nothing.'
)
def test_an_unknown_user_is_422_and_nothing_is_stored(wired):
    users, orders = wired
    check(users.post("/users", json={"name": "Alice"}), "POST /users", 201)
    response = orders.post("/orders", json={**ORDER, "user_id": 2})
    check(response, "POST /orders for user 2 (users has only user 1)", 422)
    assert response.json() == {"detail": "unknown user"}, (
        f"POST /orders for an unknown user answered {response.json()}"
    )
    assert orders.get("/orders").json() == [], "an order for an unknown user was stored"


@pytest.mark.task(2)
def test_users_client_asks_for_the_user_by_path(orders_with):
    orders = orders_with(httpx.MockTransport(fake_users))
    response = orders.post("/orders", json={**ORDER, "user_id": 7})
    check(response, "POST /orders for user 7 (users knows GET /users/7)", 201)
    response = orders.post("/orders", json={**ORDER, "user_id": 8})
    check(response, "POST /orders for user 8 (users answers 404)", 422)


@pytest.mark.task(2)
@pytest.mark.hint(
    'Ask with a path relative to the client\'s base_url, `http.get(f"/users/{user_id}")`: '
    "httpx joins it to the base_url's host, port and path prefix. A full URL such as "
    "`http://users/users/7` ignores the base_url, so it breaks as soon as users moves."
)
def test_users_client_uses_the_base_url_it_is_given(orders_with):
    seen = []

    def users_elsewhere(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url}")
        url = request.url
        if (url.host, url.port, url.path) == ("users.internal", 8000, "/api/users/7"):
            return httpx.Response(200, json={"id": 7, "name": "Zed"})
        return httpx.Response(404, json={"detail": "user not found"})

    base_url = "http://users.internal:8000/api"
    orders = orders_with(httpx.MockTransport(users_elsewhere), base_url)
    response = orders.post("/orders", json={**ORDER, "user_id": 7})
    assert seen and set(seen) == {"GET http://users.internal:8000/api/users/7"}, (
        f"with base_url {base_url}, POST /orders for user 7 sent to users: {seen}; expected"
        " ['GET http://users.internal:8000/api/users/7']"
    )
    check(response, f"POST /orders for user 7 (users at {base_url})", 201)


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Catch `httpx.TransportError` (ConnectError and the timeouts are subclasses) around the call "
    "to users, and treat any status other than 200 and 404 the same way: answer 503."
)
@pytest.mark.parametrize(
    "failure",
    ["connect-error", "read-timeout", "remote-protocol-error", "status-500", "status-503"],
)
def test_users_down_slow_or_failing_is_503(shared_orders, failure):
    handler = {
        "connect-error": raising(httpx.ConnectError),
        "read-timeout": raising(httpx.ReadTimeout),
        "remote-protocol-error": raising(httpx.RemoteProtocolError),
        "status-500": lambda request: httpx.Response(500, json={"detail": "boom"}),
        "status-503": lambda request: httpx.Response(503, json={"detail": "overloaded"}),
    }[failure]
    orders = shared_orders(handler)
    before = orders.get("/orders").json()
    response = orders.post("/orders", json=ORDER)
    check(response, f"POST /orders while users fails ({failure})", 503)
    after = orders.get("/orders").json()
    assert after == before, f"an order was stored although users failed: {after[len(before) :]}"


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "body",
    [
        {"user_id": 7, "item": "pen", "quantity": 0},
        {"user_id": 7, "item": "", "quantity": 1},
        {"user_id": 7, "item": "x" * 101, "quantity": 1},
        {"user_id": "x", "item": "pen", "quantity": 1},
        {"item": "pen", "quantity": 1},
    ],
)
def test_an_invalid_order_is_422(shared_orders, body):
    orders = shared_orders(fake_users)
    check(orders.post("/orders", json=body), f"POST /orders {str(body)[:60]}", 422)


@pytest.mark.task(2)
@pytest.mark.hint(
    "A table scan happens to return the orders in id order; only `.order_by(Order.id)` in the "
    "query guarantees the oldest first."
)
def test_orders_are_listed_oldest_first(orders_with, tmp_path):
    orders = orders_with(httpx.MockTransport(fake_users))
    for item in ["pen", "ink", "pad"]:
        check(orders.post("/orders", json={"user_id": 7, "item": item, "quantity": 1}), item, 201)
    items = [order["item"] for order in orders.get("/orders").json()]
    assert items == ["pen", "ink", "pad"], f"GET /orders listed {items}"
    with reversed_scans(tmp_path / "orders.db"):
        listed = orders.get("/orders")
    check(listed, "GET /orders", 200)
    items = [order["item"] for order in listed.json()]
    assert items == ["pen", "ink", "pad"], (
        f"with SQLite free to return rows in another order, GET /orders listed {items}: order "
        "the orders by id in the query"
    )


# --- Task 3: boundaries and probes ------------------------------------------------------------


def imports_of(path):
    """(line, top-level module) for every import in the file; relative imports that climb out
    of the package count as imports of whatever they name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                found.append((node.lineno, node.module.split(".")[0]))
            elif node.level >= 2:
                top = node.module.split(".")[0] if node.module else None
                found += [(node.lineno, top or alias.name) for alias in node.names]
    return found


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "The orders service may know the users service only through its HTTP API: share nothing by "
    "import, not even a Pydantic model; give orders its own copy of what it needs."
)
@pytest.mark.parametrize(
    "package,forbidden", [("orders_service", "users_service"), ("users_service", "orders_service")]
)
def test_no_service_imports_the_other(learner, packages, package, forbidden):
    folder = learner.path(package)
    files = sorted(folder.rglob("*.py"))
    assert files, f"{package}/ holds no .py file"
    offending = [
        f"{path.relative_to(folder.parent)}:{line}"
        for path in files
        for line, module in imports_of(path)
        if module == forbidden
    ]
    assert not offending, f"{package} imports {forbidden} at {', '.join(offending)}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Give each service its own `class Base(DeclarativeBase)`: with one shared Base, "
    "create_all puts every service's tables into every database."
)
def test_each_database_holds_only_its_own_table(wired, tmp_path):
    users_tables, orders_tables = tables(tmp_path / "users.db"), tables(tmp_path / "orders.db")
    assert "users" in users_tables and "orders" not in users_tables, (
        f"after startup the users database holds the tables {sorted(users_tables)}"
    )
    assert "orders" in orders_tables and "users" not in orders_tables, (
        f"after startup the orders database holds the tables {sorted(orders_tables)}"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize("service", ["users", "orders"])
def test_health_and_ready_with_a_working_database(service_client, service):
    client = service_client
    health, ready = client.get("/health"), client.get("/ready")
    check(health, f"GET /health on {service}", 200)
    assert health.json() == {"status": "ok"}, f"GET /health on {service}: {health.json()}"
    check(ready, f"GET /ready on {service}", 200)
    assert ready.json() == {"status": "ready"}, f"GET /ready on {service}: {ready.json()}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Build the engine in create_app but connect only later: create the tables in the lifespan, "
    "and let /ready run `SELECT 1` inside try/except on every call, answering 503 when it "
    "fails. /health must not touch the database."
)
@pytest.mark.parametrize("service", ["users", "orders"])
def test_ready_is_503_when_the_database_cannot_be_opened(
    packages, tmp_path, app_client, http_clients, service
):
    users_service, orders_service = packages
    url = f"sqlite:///{tmp_path / 'missing-folder' / f'{service}.db'}"
    if service == "users":
        app = users_service.create_app(url)
    else:
        users_client = orders_service.UsersClient(http_clients(httpx.MockTransport(fake_users)))
        app = orders_service.create_app(url, users_client)
    client = app_client(app)  # no lifespan: its startup would fail on this database
    check(client.get("/ready"), f"GET /ready on {service} with a database it cannot open", 503)
    check(client.get("/health"), f"GET /health on {service} with a database it cannot open", 200)
    (tmp_path / "missing-folder").mkdir()
    check(client.get("/ready"), f"GET /ready on {service} once its database can be opened", 200)


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Run the query inside /ready on every call and remember nothing between calls: a database "
    "that answered a minute ago may be gone now, and the load balancer must learn it."
)
@pytest.mark.parametrize("service", ["users", "orders"])
def test_ready_is_503_when_the_database_fails_after_a_success(service_client, tmp_path, service):
    client = service_client
    check(client.get("/ready"), f"GET /ready on {service}", 200)
    with failing_queries(tmp_path / f"{service}.db"):
        check(client.get("/ready"), f"GET /ready on {service} once its database fails", 503)
        check(client.get("/health"), f"GET /health on {service} while its database fails", 200)
    check(client.get("/ready"), f"GET /ready on {service} once its database is back", 200)
