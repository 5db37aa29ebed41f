"""Hidden tests for 4.1.1.

USERS and ITEMS are put back as they were after every test. Tasks 1 and 2 are tested on small apps
built here, whose routes use the learner's dependencies; Task 3 through the learner's app.
"""

from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI


@pytest.fixture
def main(learner):
    """The learner's module, with USERS and ITEMS put back as they were after each test."""
    main = learner.require("main", "app", "User", "USERS", "get_current_user", "require_permission")
    users = dict(main.USERS)
    items = {key: dict(value) for key, value in getattr(main, "ITEMS", {}).items()}
    yield main
    main.USERS.clear()
    main.USERS.update(users)
    if isinstance(getattr(main, "ITEMS", None), dict):
        main.ITEMS.clear()
        main.ITEMS.update(items)


def add_user(main, name, *permissions):
    main.USERS[name] = main.User(name, frozenset(permissions))


def as_user(name):
    if name == "nobody":
        return {}
    return {"X-User": name}


def who_route(app, dependency_factory):
    """GET /who on `app`: answers the username of whatever the dependency returned."""

    @app.get("/who")
    def who(user: Annotated[Any, Depends(dependency_factory())]):
        return {"username": getattr(user, "username", repr(user))}


def probe_app(main, **routes):
    """An app of the tests' own: GET /<name> with dependencies=[Depends(require_permission(p))
    for p in routes[name]]."""
    app = FastAPI()
    for name, permissions in routes.items():
        deps = [Depends(main.require_permission(p)) for p in permissions]
        app.add_api_route(f"/{name}", lambda: {"ok": True}, methods=["GET"], dependencies=deps)
    return app


def said(response):
    return f"{response.status_code} {response.text[:150]}"


def refusal_cause(response):
    """Why a request without a known user was not get_current_user's 401, when the answer tells."""
    if response.status_code == 403:
        return (
            "A 403 means the permission was checked without a known user: the permission "
            "dependency depends on get_current_user, which raises 401 for a missing or unknown "
            "user (it never returns None)."
        )
    if response.status_code == 422 and "x-user" in response.text.lower():
        return (
            "FastAPI answered 422 for a missing required header: declare X-User optional "
            "(= None) and raise the 401 in get_current_user."
        )
    if response.status_code < 300:
        return (
            "The request got in without a known user: the route must declare "
            "require_permission, whose dependency depends on get_current_user."
        )
    return ""


# --- Task 1: get_current_user -------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.parametrize("name", ["alice", "bob"])
def test_known_user_is_returned(main, app_client, name):
    app = FastAPI()
    who_route(app, lambda: main.get_current_user)
    response = app_client(app).get("/who", headers=as_user(name))
    assert response.status_code == 200, (
        f"a route depending on get_current_user answered {said(response)} for X-User: {name}"
    )
    assert response.json() == {"username": name}, (
        f"for X-User: {name}, get_current_user returned a user named "
        f"{response.json().get('username')!r}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Declare the header as optional (`x_user: Annotated[str | None, Header()] = None`) and "
    "raise HTTPException(401) yourself; a required header answers 422 when it is missing."
)
def test_missing_header_is_401(main, app_client):
    app = FastAPI()
    who_route(app, lambda: main.get_current_user)
    response = app_client(app).get("/who")
    assert response.status_code == 401, (
        f"a route depending on get_current_user answered {said(response)} without X-User"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    "name", ["mallory", "", "ALICE", "Bob"], ids=["unknown", "empty", "upper-case", "capitalised"]
)
@pytest.mark.hint(
    "Look the header's value up in USERS exactly as sent: ALICE is not a key of USERS, so it "
    "is an unknown user (401), not alice."
)
def test_unknown_user_is_401(main, app_client, name):
    app = FastAPI()
    who_route(app, lambda: main.get_current_user)
    response = app_client(app).get("/who", headers={"X-User": name})
    assert response.status_code == 401, (
        f"a route depending on get_current_user answered {said(response)} for X-User: {name!r}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("Look the name up in USERS inside get_current_user, on every request.")
def test_user_added_while_running_is_known(main, app_client):
    app = FastAPI()
    who_route(app, lambda: main.get_current_user)
    client = app_client(app)
    client.get("/who", headers=as_user("alice"))
    add_user(main, "carol", "reports:view")
    response = client.get("/who", headers=as_user("carol"))
    assert response.status_code == 200 and response.json() == {"username": "carol"}, (
        f"after USERS['carol'] was added, X-User: carol answered {said(response)}"
    )


# --- Task 2: the factory ------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The dependency that require_permission returns must return the user it checked, so a "
    "handler can take it as a parameter."
)
def test_granted_permission_returns_the_user(main, app_client):
    add_user(main, "carol", "reports:view")
    app = FastAPI()
    who_route(app, lambda: main.require_permission("reports:view"))
    response = app_client(app).get("/who", headers=as_user("carol"))
    assert response.status_code == 200, (
        "a route with the parameter Depends(require_permission('reports:view')) answered "
        f"{said(response)} for carol, who holds reports:view"
    )
    assert response.json() == {"username": "carol"}, (
        f"the dependency handed the handler {response.json().get('username')!r}, not carol's User"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("name", ["alice", "bob"])
def test_missing_permission_is_403(main, app_client, name):
    app = FastAPI()
    who_route(app, lambda: main.require_permission("reports:view"))
    response = app_client(app).get("/who", headers=as_user(name))
    assert response.status_code == 403, (
        f"require_permission('reports:view') answered {said(response)} for {name}, who lacks it"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("perm", ["items", "items:re", "items:read:all", "read"])
@pytest.mark.hint(
    "A permission is held only when it is one of the user's permissions, compared whole "
    "(`perm in user.permissions`): items or items:re is not items:read."
)
def test_part_of_a_held_permission_is_403(main, app_client, perm):
    client = app_client(probe_app(main, probe=[perm]))
    response = client.get("/probe", headers=as_user("bob"))
    assert response.status_code == 403, (
        f"dependencies=[Depends(require_permission({perm!r}))] answered {said(response)} for "
        "bob, who holds only items:read"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Look the user up in USERS on every request and check the permissions of the User found "
    "there; don't remember a user's answer from an earlier request."
)
def test_permissions_changed_while_running_count(main, app_client):
    add_user(main, "carol", "reports:view")
    client = app_client(probe_app(main, reports=["reports:view"]))
    answers = [client.get("/reports", headers=as_user("carol")).status_code]
    add_user(main, "carol")
    answers.append(client.get("/reports", headers=as_user("carol")).status_code)
    add_user(main, "carol", "reports:view")
    answers.append(client.get("/reports", headers=as_user("carol")).status_code)
    assert answers == [200, 403, 200], (
        "require_permission('reports:view') answered carol with "
        f"{answers} while USERS['carol'] was replaced with a User holding reports:view, then "
        "none, then reports:view again: expected [200, 403, 200]"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("headers", [{}, {"X-User": "mallory"}], ids=["no-header", "unknown"])
@pytest.mark.hint(
    "Nobody (or an unknown name) is get_current_user's 401, before any 403: the permission "
    "dependency must itself depend on get_current_user with Depends(...), and get_current_user "
    "must raise HTTPException(401) for a name not in USERS, not return None."
)
def test_no_user_is_401_not_403(main, app_client, headers):
    app = probe_app(main, read=["items:read"])
    response = app_client(app).get("/read", headers=headers)
    message = (
        f"dependencies=[Depends(require_permission('items:read'))] answered {said(response)} "
        f"for the headers {headers}"
    )
    cause = refusal_cause(response)
    assert response.status_code == 401, f"{message}\n{cause}" if cause else message


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_works_in_a_routes_dependencies_list(main, app_client):
    add_user(main, "carol", "reports:view")
    client = app_client(probe_app(main, read=["items:read"], reports=["reports:view"]))
    answers = {
        (name, path): client.get(f"/{path}", headers=as_user(name)).status_code
        for name in ("bob", "carol")
        for path in ("read", "reports")
    }
    expected = {
        ("bob", "read"): 200,
        ("bob", "reports"): 403,
        ("carol", "read"): 403,
        ("carol", "reports"): 200,
    }
    assert answers == expected, (
        f"routes with dependencies=[Depends(require_permission(p))] answered {answers} "
        f"(user, route): expected {expected}"
    )


@pytest.mark.task(2)
def test_each_permission_is_its_own_dependency(main):
    read, write = main.require_permission("items:read"), main.require_permission("items:write")
    assert callable(read) and callable(write), (
        f"require_permission returned {read!r} and {write!r}, not callables"
    )
    assert read is not write, (
        "require_permission('items:read') and require_permission('items:write') returned the "
        "same object"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("order", ["read-first", "delete-first"])
@pytest.mark.hint(
    "Each call of require_permission must build a dependency that remembers its own `perm` "
    "(a closure, or an instance with its own attribute), not one shared variable."
)
def test_stacked_permissions_are_all_required(main, app_client, order):
    permissions = ["items:read", "items:delete"]
    if order == "delete-first":
        permissions.reverse()
    add_user(main, "dana", "items:delete")
    client = app_client(probe_app(main, both=permissions))
    answers = {name: client.get("/both", headers=as_user(name)).status_code
               for name in ("alice", "bob", "dana")}  # fmt: skip
    assert answers == {"alice": 200, "bob": 403, "dana": 403}, (
        f"a route listing require_permission({permissions[0]!r}) and "
        f"require_permission({permissions[1]!r}) answered {answers}: only alice holds both"
    )


# --- Task 3: the item routes --------------------------------------------------------------


def send(client, method, name, json=None, path=None):
    headers = as_user(name)
    if method == "GET":
        return client.get(path or "/items", headers=headers)
    if method == "POST":
        return client.post(path or "/items", headers=headers, json=json or {"name": "drill"})
    return client.delete(path or "/items/1", headers=headers)


def item_names(main):
    return sorted(item["name"] for item in main.ITEMS.values())


def item_path(method):
    return "/items/1" if method == "DELETE" else "/items"


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "name,method,expected",
    [
        ("alice", "GET", 200),
        ("alice", "POST", 201),
        ("alice", "DELETE", 204),
        ("bob", "GET", 200),
        ("bob", "POST", 403),
        ("bob", "DELETE", 403),
    ],
    ids=["alice-get", "alice-post", "alice-delete", "bob-get", "bob-post", "bob-delete"],
)
@pytest.mark.hint(
    "Each route declares its own permission with require_permission: GET /items items:read, "
    "POST /items items:write, DELETE /items/{item_id} items:delete. alice holds all three, "
    "bob only items:read."
)
def test_permission_matrix(main, app_client, name, method, expected):
    response = send(app_client(main.app), method, name)
    assert response.status_code == expected, (
        f"{method} {item_path(method)} as {name} answered {said(response)}, not {expected}"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "name,method",
    [
        ("nobody", "GET"),
        ("nobody", "POST"),
        ("nobody", "DELETE"),
        ("mallory", "GET"),
        ("mallory", "POST"),
        ("mallory", "DELETE"),
    ],
    ids=[
        "nobody-get",
        "nobody-post",
        "nobody-delete",
        "mallory-get",
        "mallory-post",
        "mallory-delete",
    ],
)
@pytest.mark.hint(
    "Without a known user the answer is get_current_user's 401, before any permission is "
    "checked: get_current_user raises HTTPException(401) for a missing header and for a name "
    "not in USERS (it never returns None), and the permission dependency depends on it. 403 is "
    "only for a known user who lacks the permission; a 2xx means the route declares none."
)
def test_routes_answer_401_without_a_known_user(main, app_client, name, method):
    response = send(app_client(main.app), method, name)
    who = "no X-User header" if name == "nobody" else f"X-User: {name} (not in USERS)"
    message = f"{method} {item_path(method)} with {who} answered {said(response)}, not 401."
    cause = refusal_cause(response)
    assert response.status_code == 401, f"{message}\n{cause}" if cause else message


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Check the role's permissions, not the username: a user added to USERS with only "
    "items:write may create items and may not list them."
)
def test_permissions_not_names_decide(main, app_client):
    add_user(main, "erin", "items:write")
    client = app_client(main.app)
    answers = {method: send(client, method, "erin").status_code
               for method in ("GET", "POST", "DELETE")}  # fmt: skip
    assert answers == {"GET": 403, "POST": 201, "DELETE": 403}, (
        f"erin, who holds only items:write, got {answers}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_refused_requests_change_nothing(main, app_client):
    client = app_client(main.app)
    before = item_names(main)
    for name in ("bob", "nobody"):
        send(client, "POST", name)
        send(client, "DELETE", name)
    assert item_names(main) == before, (
        f"refused POST and DELETE requests changed ITEMS from {before} to {item_names(main)}"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.parametrize(
    "name,method,payload,path,expected",
    [
        ("bob", "POST", {"nombre": "drill"}, None, 403),
        ("bob", "POST", {"name": ""}, None, 403),
        ("nobody", "POST", {"nombre": "drill"}, None, 401),
        ("bob", "DELETE", None, "/items/abc", 403),
        ("bob", "DELETE", None, "/items/999", 403),
        ("nobody", "DELETE", None, "/items/abc", 401),
    ],
    ids=[
        "bob-post-no-name",
        "bob-post-empty-name",
        "nobody-post-no-name",
        "bob-delete-abc",
        "bob-delete-unknown",
        "nobody-delete-abc",
    ],
)
@pytest.mark.hint(
    "Declare the permission on the route (dependencies=[...] or a Depends parameter). A check "
    "inside the handler runs only after FastAPI has validated the body and path, so it answers "
    "422 or 404 where the prompt wants 401 or 403. A 422 about the x-user header means X-User "
    "is declared required: make it optional and raise the 401 in get_current_user."
)
def test_permission_is_checked_before_validation(
    main, app_client, name, method, payload, path, expected
):
    response = send(app_client(main.app), method, name, json=payload, path=path)
    what = f"{method} {path or '/items'}" + (f" with {payload}" if payload else "")
    message = f"{what} as {name} answered {said(response)}, not {expected}"
    cause = refusal_cause(response) if name == "nobody" else ""
    assert response.status_code == expected, f"{message}\n{cause}" if cause else message


@pytest.mark.task(3)
def test_allowed_requests_work(main, app_client):
    client = app_client(main.app)
    created = send(client, "POST", "alice", json={"name": "drill"})
    assert created.status_code == 201, f"POST /items as alice answered {said(created)}"
    body = created.json()
    assert body.get("name") == "drill" and isinstance(body.get("id"), int), (
        f"POST /items answered {body}"
    )
    listed = send(client, "GET", "bob").json()
    assert {"id": body["id"], "name": "drill"} in listed, (
        f"after the POST, GET /items as bob answered {listed}"
    )
    gone = send(client, "DELETE", "alice", path=f"/items/{body['id']}")
    assert gone.status_code == 204, f"DELETE of the new item answered {said(gone)}"
    missing = send(client, "DELETE", "alice", path=f"/items/{body['id']}")
    assert missing.status_code == 404, f"deleting it again answered {said(missing)}, not 404"
    invalid = send(client, "POST", "alice", json={"nombre": "x"})
    assert invalid.status_code == 422, (
        f"POST /items as alice with no name answered {said(invalid)}, not 422"
    )
