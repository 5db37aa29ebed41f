"""Hidden tests for 4.7.2.

Requests go to main.app, or to a bare FastAPI() that includes api.api_v1 (or one router) with
a plain include_router. The tests that add a /probe/ping route to the learner's routers import every
learner module afresh before, and again after, so that no other test sees the added routes.
"""

import re

import pytest
from fastapi import APIRouter, FastAPI

PATHS = {
    "/api/v1/users/": "users",
    "/api/v1/users/{id}": "users",
    "/api/v1/orders/": "orders",
    "/api/v1/orders/{id}": "orders",
    "/api/v1/admin/stats": "admin",
    "/health": "health",
}


@pytest.fixture
def users(learner):
    return learner.require("routers.users", "router", "USERS")


@pytest.fixture
def orders(learner):
    return learner.require("routers.orders", "router", "ORDERS")


@pytest.fixture
def admin(learner):
    return learner.require("routers.admin", "router", "require_admin_key", "ADMIN_KEY")


@pytest.fixture
def health(learner):
    return learner.require("routers.health", "router")


@pytest.fixture
def api(learner):
    return learner.require("api", "api_v1")


@pytest.fixture
def main(learner):
    return learner.require("main", "app")


@pytest.fixture
def client(main, app_client):
    return app_client(main.app)


@pytest.fixture
def key(admin):
    return {"X-Admin-Key": admin.ADMIN_KEY}


@pytest.fixture
def bare_api(api, app_client):
    """A client of a bare FastAPI() that includes api_v1, nothing else."""
    app = FastAPI()
    app.include_router(api.api_v1)
    return app_client(app)


def said(response):
    return f"{response.status_code} {response.text[:200]}"


def generic(path):
    """The path with every {parameter} named {id}: the parameter's name is free."""
    return re.sub(r"\{[^}]*\}", "{id}", path)


def operations(app):
    """{(generic path, method): operation} of the app's OpenAPI document."""
    return {
        (generic(path), method): operation
        for path, item in app.openapi().get("paths", {}).items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }


@pytest.fixture
def appended():
    """appended(USERS, entry): the entry is in the list for this test only."""
    added = []

    def append(target, entry):
        target.append(entry)
        added.append((target, entry))

    yield append
    for target, entry in added:
        if entry in target:
            target.remove(entry)


# --- Task 1: the four routers ---------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.parametrize("name", ["users", "orders"])
def test_lists_answer_the_data(client, users, orders, name):
    data = users.USERS if name == "users" else orders.ORDERS
    response = client.get(f"/api/v1/{name}/")
    assert response.status_code == 200, f"GET /api/v1/{name}/ answered {said(response)}"
    assert response.json() == data, (
        f"GET /api/v1/{name}/ answered {response.json()}, expected the module's data {data}"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("name", ["users", "orders"])
def test_one_entry_by_id(client, users, orders, name):
    data = users.USERS if name == "users" else orders.ORDERS
    wanted = data[1]
    response = client.get(f"/api/v1/{name}/{wanted['id']}")
    assert response.status_code == 200 and response.json() == wanted, (
        f"GET /api/v1/{name}/{wanted['id']} answered {said(response)}, expected 200 {wanted}"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("name", ["users", "orders"])
@pytest.mark.hint(
    "Look the entry up in USERS / ORDERS inside the handler, on each request: an index or a "
    "copy made at import misses the entries appended later."
)
def test_appended_entry_is_listed_and_found(client, users, orders, appended, name):
    data = users.USERS if name == "users" else orders.ORDERS
    entry = (
        {"id": 4, "name": "dave"}
        if name == "users"
        else {"id": 5, "user_id": 3, "total_cents": 800}
    )
    appended(data, entry)
    listed = client.get(f"/api/v1/{name}/")
    assert listed.status_code == 200 and entry in listed.json(), (
        f"after {entry} was appended to the module's list, GET /api/v1/{name}/ answered "
        f"{said(listed)}"
    )
    found = client.get(f"/api/v1/{name}/{entry['id']}")
    assert found.status_code == 200 and found.json() == entry, (
        f"after {entry} was appended to the module's list, GET /api/v1/{name}/{entry['id']} "
        f"answered {said(found)}, expected 200 {entry}"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("name", "detail"), [("users", "User not found"), ("orders", "Order not found")]
)
def test_unknown_id_is_404(client, name, detail):
    expected = {"detail": detail}
    for unknown in (999, 0, -1):
        path = f"/api/v1/{name}/{unknown}"
        response = client.get(path)
        assert response.status_code == 404, (
            f"GET {path} answered {said(response)}, expected 404: no entry has the id {unknown}"
        )
        assert response.json() == expected, (
            f"GET {path} answered the body {response.json()}, expected {expected}"
        )


@pytest.mark.task(1)
@pytest.mark.parametrize("name", ["users", "orders"])
def test_non_integer_id_is_422(client, name):
    response = client.get(f"/api/v1/{name}/abc")
    assert response.status_code == 422, f"GET /api/v1/{name}/abc answered {said(response)}"


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_stats_count_users_and_orders(client, key):
    response = client.get("/api/v1/admin/stats", headers=key)
    assert response.status_code == 200, (
        f"GET /api/v1/admin/stats with the right X-Admin-Key answered {said(response)}"
    )
    assert response.json() == {"users": 3, "orders": 4}, (
        f"GET /api/v1/admin/stats answered {response.json()}, expected "
        "{'users': 3, 'orders': 4} for the starter's data"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Compute len(USERS) and len(ORDERS) inside the handler, on each request, not once at import."
)
def test_stats_are_counted_on_each_request(client, key, users, orders, appended):
    appended(users.USERS, {"id": 4, "name": "dave"})
    appended(orders.ORDERS, {"id": 5, "user_id": 4, "total_cents": 100})
    appended(orders.ORDERS, {"id": 6, "user_id": 4, "total_cents": 200})
    response = client.get("/api/v1/admin/stats", headers=key)
    assert response.status_code == 200 and response.json() == {"users": 4, "orders": 6}, (
        "after one user and two orders were appended to USERS and ORDERS, "
        f"GET /api/v1/admin/stats answered {said(response)}, expected {{'users': 4, 'orders': 6}}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'The health router is mounted at the root: `@router.get("/health")` on a router without '
    "prefix, included with a plain app.include_router(health.router) (not into api_v1)."
)
def test_health_is_at_the_root(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}, (
        f"GET /health answered {said(response)}, expected 200 {{'status': 'ok'}}"
    )
    nested = client.get("/api/v1/health")
    assert nested.status_code == 404, f"GET /api/v1/health answered {said(nested)}, not 404"


# --- Task 2: the admin key -----------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Read the header as optional (`x_admin_key: Annotated[str | None, Header()] = None`) and "
    "raise HTTPException(401) yourself: a required header answers 422 when it is missing."
)
def test_stats_without_key_is_401(client):
    response = client.get("/api/v1/admin/stats")
    assert response.status_code == 401, (
        f"GET /api/v1/admin/stats without X-Admin-Key answered {said(response)}, not 401"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("wrong", ["empty", "other", "prefix", "longer", "upper"])
@pytest.mark.hint("Only the exact value of ADMIN_KEY lets a request through.")
def test_stats_with_a_wrong_key_is_401(client, admin, wrong):
    real = admin.ADMIN_KEY
    value = {
        "empty": "",
        "other": "not-the-key",
        "prefix": real[:-1],
        "longer": real + "x",
        "upper": real.upper() if real.upper() != real else real.lower(),
    }[wrong]
    response = client.get("/api/v1/admin/stats", headers={"X-Admin-Key": value})
    assert response.status_code == 401, (
        f"GET /api/v1/admin/stats with X-Admin-Key: {value!r} (ADMIN_KEY is {real!r}) answered "
        f"{said(response)}, not 401"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.parametrize(
    "path", ["/api/v1/users/", "/api/v1/users/1", "/api/v1/orders/", "/api/v1/orders/1", "/health"]
)
@pytest.mark.hint(
    "Put the admin key only on the admin router (its APIRouter or its include_router call), "
    "not on api_v1 or on the app: users, orders and health are public."
)
def test_public_routes_need_no_key(client, path):
    response = client.get(path)
    assert response.status_code == 200, f"GET {path} without X-Admin-Key answered {said(response)}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Guard the admin router with `dependencies=[Depends(require_admin_key)]` so that overriding "
    "require_admin_key changes what guards it; a header check inside the handler can't be "
    "overridden."
)
def test_overriding_require_admin_key_opens_stats(main, admin, client, overrides):
    overrides(main.app, {admin.require_admin_key: lambda: None})
    response = client.get("/api/v1/admin/stats")
    assert response.status_code == 200, (
        "with require_admin_key overridden by a function that lets everything through, "
        f"GET /api/v1/admin/stats without a key answered {said(response)}"
    )


def probe_endpoint(name):
    def probe():
        return {"probe": name}

    return probe


@pytest.fixture
def probed(learner, app_client):
    """Fresh modules with a GET /probe/ping route added to users, orders and admin routers; the
    modules are imported afresh again afterwards."""
    main = learner.require("main", "app", fresh=True)
    modules = {
        name: learner.require(f"routers.{name}", "router") for name in ("users", "orders", "admin")
    }
    for name, module in modules.items():
        module.router.add_api_route(
            "/probe/ping", probe_endpoint(name), methods=["GET"], name=f"probe_{name}"
        )
    admin = learner.require("routers.admin", "ADMIN_KEY")
    yield app_client(main.app), {"X-Admin-Key": admin.ADMIN_KEY}
    try:
        learner.fresh("main")
    except Exception:  # the next test reports a broken import itself
        pass


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Declare the key once for the whole router: "
    "`APIRouter(dependencies=[Depends(require_admin_key)])` or "
    "`api_v1.include_router(admin.router, ..., dependencies=[Depends(require_admin_key)])`. "
    "A dependency repeated on each route leaves the next route open."
)
def test_a_route_added_to_admin_is_guarded(probed):
    client, key = probed
    refused = client.get("/api/v1/admin/probe/ping")
    assert refused.status_code == 401, (
        "a route /probe/ping added to routers.admin.router answered "
        f"{said(refused)} at /api/v1/admin/probe/ping without X-Admin-Key, not 401"
    )
    allowed = client.get("/api/v1/admin/probe/ping", headers=key)
    assert allowed.status_code == 200 and allowed.json() == {"probe": "admin"}, (
        f"with the right key, GET /api/v1/admin/probe/ping answered {said(allowed)}"
    )


# --- Task 3: assembling -----------------------------------------------------------------------


@pytest.mark.task(3)
def test_api_v1_is_an_apirouter(api):
    assert isinstance(api.api_v1, APIRouter), (
        f"api.api_v1 is a {type(api.api_v1).__name__}, not an APIRouter"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    'api_v1 carries the prefix: `api_v1 = APIRouter(prefix="/api/v1")`, then '
    'api_v1.include_router(users.router, prefix="/users", ...) and so on; main.py includes '
    "api_v1 with no prefix of its own."
)
def test_api_v1_alone_serves_the_versioned_routes(bare_api, key):
    answers = {
        path: bare_api.get(path, headers=key).status_code
        for path in ("/api/v1/users/", "/api/v1/orders/", "/api/v1/admin/stats")
    }
    assert answers == dict.fromkeys(answers, 200), (
        f"a FastAPI() that includes api_v1 with a plain include_router(api_v1) answered {answers}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_api_v1_alone_guards_admin_and_leaves_out_health(bare_api):
    refused = bare_api.get("/api/v1/admin/stats")
    assert refused.status_code == 401, (
        "a FastAPI() that includes only api_v1 answered GET /api/v1/admin/stats without a key "
        f"with {said(refused)}: the guard must come with the admin router, not with main.app"
    )
    for path in ("/health", "/api/v1/health"):
        response = bare_api.get(path)
        assert response.status_code == 404, (
            f"a FastAPI() that includes only api_v1 answered GET {path} with {said(response)}: "
            "health belongs to main.app, at the root"
        )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("name", ["users", "orders", "admin"])
@pytest.mark.hint(
    "The routers of routers/ know nothing of /api/v1: only api_v1 carries it. Their routes "
    'are relative ("/", "/{user_id}", "/stats").'
)
def test_routers_do_not_repeat_api_v1(learner, name):
    module = learner.require(f"routers.{name}", "router")
    app = FastAPI()
    app.include_router(module.router)
    paths = sorted({path for path, _ in operations(app)})
    assert paths, f"a FastAPI() that includes routers.{name}.router serves no route at all"
    repeated = [path for path in paths if path.startswith("/api")]
    assert not repeated, (
        f"routers.{name}.router on its own serves {repeated}: /api/v1 is written in the router"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("name", ["users", "orders"])
@pytest.mark.hint(
    'Give each router its prefix once (APIRouter(prefix="/users") or include_router(..., '
    'prefix="/users")) and declare its routes relative to it: "/" and "/{user_id}", not '
    '"/users/" and "/users/{user_id}".'
)
def test_a_route_added_to_a_router_lands_under_its_prefix(probed, name):
    client, _ = probed
    response = client.get(f"/api/v1/{name}/probe/ping")
    assert response.status_code == 200 and response.json() == {"probe": name}, (
        f"a route /probe/ping added to routers.{name}.router answered {said(response)} at "
        f"/api/v1/{name}/probe/ping"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_app_serves_exactly_the_six_routes(main):
    found = {}
    for path, method in operations(main.app):
        found.setdefault(path, set()).add(method)
    expected = {path: {"get"} for path in PATHS}
    assert found == expected, (
        f"main.app's OpenAPI lists {sorted((p, sorted(m)) for p, m in found.items())}, expected "
        f"{sorted((p, sorted(m)) for p, m in expected.items())} (parameter names aside)"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Tag each router once: APIRouter(tags=["users"]) or include_router(..., tags=["users"]), '
    "not both (that lists the tag twice), and no tag on api_v1 itself."
)
def test_each_operation_has_its_routers_tag(main):
    tags = {f"GET {path}": op.get("tags") for (path, _), op in operations(main.app).items()}
    assert tags, "main.app's OpenAPI lists no operations"
    wrong = {
        name: tag for name, tag in tags.items() if name[4:] in PATHS and tag != [PATHS[name[4:]]]
    }
    assert not wrong, (
        f"these operations of main.app have the wrong tags: {wrong} (expected one tag, the "
        "router's name)"
    )
