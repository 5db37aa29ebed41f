"""Hidden tests for 4.1.2.

Two SQLite files ("main" and "staging") are built once per module with the learner's Base and
User. Every request goes through an app whose get_settings is overridden to point at one of
them; the learner's default app.db is never touched. Overrides are set with
the kit's `overrides` fixture and removed after each test. Each app (the learner's and the
test apps built on its dependencies) is built once per module and keeps one client, whose
requests share one event loop, for the whole module.
"""

import asyncio
import inspect
from contextlib import contextmanager
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

# username, token, is_active, is_admin
MAIN_USERS = [
    ("root", "t-root", True, True),
    ("ann", "t-ann", True, False),
    ("old", "t-old", False, True),
    ("ivy", "t-ivy", False, False),
]
STAGING_USERS = [
    ("sam", "t-sam", True, True),
    ("eve", "t-eve", True, False),
]
CHAIN = ("get_db", "get_current_user", "get_active_user", "get_admin_user")


@pytest.fixture(scope="module")
def databases(learner, tmp_path_factory):
    main = learner.require("main", "Base", "User")
    folder = tmp_path_factory.mktemp("databases")
    urls = {}
    for name, rows in (("main", MAIN_USERS), ("staging", STAGING_USERS)):
        url = f"sqlite:///{folder / name}.db"
        engine = create_engine(url)
        main.Base.metadata.create_all(engine)
        with Session(engine) as session:
            session.add_all(
                main.User(username=u, token=t, is_active=active, is_admin=admin)
                for u, t, active, admin in rows
            )
            session.commit()
        engine.dispose()
        urls[name] = url
    return urls


@pytest.fixture
def main(learner, databases):
    main = learner.require(
        "main", "app", "CALLS", "Settings", "get_settings", "User", "get_db",
        "get_current_user", "get_active_user", "get_admin_user",
    )  # fmt: skip
    main.CALLS.clear()
    return main


@pytest.fixture
def client_on(main, databases, module_app_client, overrides):
    """client_on("main") → a client of `main.app` whose get_settings points at that database
    (or of `app=`, a test app built on the learner's dependencies); other keyword arguments
    override the learner's dependencies of those names, for this test only."""

    def make(database, app=None, **replacements):
        app = app or main.app
        settings = main.Settings(database_url=databases[database])
        overrides(app, {main.get_settings: lambda: settings})
        overrides(app, {getattr(main, name): fn for name, fn in replacements.items()})
        return module_app_client(app)

    return make


@contextmanager
def db_from(main, database_url):
    """The session get_db(Settings(database_url=...)) yields (sync or async generator); the
    generator is closed after the block."""
    gen = main.get_db(main.Settings(database_url=database_url))
    if inspect.isasyncgen(gen):
        loop = asyncio.new_event_loop()
        try:
            yield loop.run_until_complete(gen.__anext__())
        finally:
            loop.run_until_complete(gen.aclose())
            loop.close()
    else:
        assert inspect.isgenerator(gen), f"get_db(settings) returned {gen!r}, not a generator"
        try:
            yield next(gen)
        finally:
            gen.close()


def bearer(token):
    return {"Authorization": f"Bearer {token}"} if token else {}


def said(response):
    return f"{response.status_code} {response.text[:150]}"


PROBES = {}


def probe_app(main, dependency_name, path="/who"):
    """A test app: GET `path` depends on main.<dependency_name> and answers the username; one
    per dependency for the module."""
    key = (id(main), dependency_name, path)
    if key not in PROBES:
        PROBES[key] = (main, _probe_app(main, dependency_name, path))
    return PROBES[key][1]


def _probe_app(main, dependency_name, path):
    app = FastAPI()
    dependency = getattr(main, dependency_name)

    @app.get(path)
    def who(user: Annotated[Any, Depends(dependency)]):
        return {"username": user.username}

    return app


def ghost(main, active=True, admin=True):
    return main.User(username="ghost", token="t-ghost", is_active=active, is_admin=admin)


# --- Task 1: get_db -----------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("database", ["main", "staging"])
def test_get_db_opens_the_settings_database(main, databases, database):
    expected = sorted(u for u, *_ in (MAIN_USERS if database == "main" else STAGING_USERS))
    with db_from(main, databases[database]) as session:
        assert isinstance(session, Session), f"get_db yielded {session!r}, not a Session"
        names = sorted(session.scalars(select(main.User.username)))
    assert names == expected, (
        f"get_db(Settings(database_url=<the {database} database>)) yielded a session that "
        f"sees the users {names}, expected {expected}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Yield the session from inside `with Session(engine_for(settings.database_url)) as "
    "session:` so that it is closed when the request is done."
)
def test_get_db_yields_a_new_session_and_closes_it(main, databases):
    with db_from(main, databases["main"]) as one, db_from(main, databases["main"]) as two:
        assert one is not two, "two calls of get_db yielded the same Session"
        one.scalars(select(main.User)).all()
        assert one.in_transaction(), "the yielded session could not run a query"
    assert not one.in_transaction(), (
        "after the get_db generator was closed, its session was still in a transaction: "
        "get_db does not close the session"
    )


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Ask for the settings with `settings: Annotated[Settings, Depends(get_settings)]`. "
    "Calling get_settings() yourself, or building the engine when the module loads, ignores "
    "an overridden get_settings."
)
def test_overriding_get_settings_changes_what_get_db_sees(main, client_on):
    app = FastAPI()

    @app.get("/names")
    def names(db: Annotated[Any, Depends(main.get_db)]):
        return sorted(db.scalars(select(main.User.username)))

    seen = {}
    for database in ("main", "staging"):
        response = client_on(database, app=app).get("/names")
        assert response.status_code == 200, (
            f"a route depending on get_db answered {said(response)} with get_settings "
            f"overridden to the {database} database"
        )
        seen[database] = response.json()
    expected = {
        "main": sorted(u for u, *_ in MAIN_USERS),
        "staging": sorted(u for u, *_ in STAGING_USERS),
    }
    assert seen == expected, (
        f"with get_settings overridden to each database, get_db's session saw {seen}"
    )


@pytest.mark.task(1)
def test_get_db_counts_its_runs(main, databases):
    for _ in range(2):
        with db_from(main, databases["main"]):
            pass
    assert main.CALLS.get("get_db") == 2, (
        f"after two calls of get_db, CALLS['get_db'] is {main.CALLS.get('get_db')!r}"
    )


# --- Task 2: the user chain ---------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.parametrize("token,name", [("t-ann", "ann"), ("t-ivy", "ivy"), ("t-root", "root")])
@pytest.mark.hint(
    "get_current_user finds the user by token and returns it whether or not it is active; "
    "the activity check belongs to get_active_user."
)
def test_current_user_is_found_by_token(main, client_on, token, name):
    response = client_on("main", app=probe_app(main, "get_current_user")).get(
        "/who", headers=bearer(token)
    )
    assert response.status_code == 200 and response.json() == {"username": name}, (
        f"a route depending on get_current_user answered {said(response)} for {name}'s token"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer t-nobody"}, {"Authorization": "Basic dC1hbm46"}],
    ids=["no-header", "unknown-token", "basic-scheme"],
)
@pytest.mark.hint(
    "`HTTPBearer(auto_error=False)` gives None without a bearer token; raise 401 then, and "
    "when no user has the token. A required `Header()` answers 422 instead."
)
def test_no_or_unknown_token_is_401(main, client_on, headers):
    response = client_on("main", app=probe_app(main, "get_current_user")).get(
        "/who", headers=headers
    )
    assert response.status_code == 401, (
        f"a route depending on get_current_user answered {said(response)} for the headers {headers}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Basic t-root"},
        {"Authorization": "t-root"},
        {"Authorization": "Token t-ann"},
    ],
    ids=["basic-scheme", "no-scheme", "token-scheme"],
)
@pytest.mark.hint(
    "Only `Authorization: Bearer <token>` carries a token: check the scheme before you look "
    "the token up. Taking the header's last word lets `Basic t-root` in as root."
)
def test_a_token_under_another_scheme_is_401(main, client_on, headers):
    response = client_on("main").get("/me", headers=headers)
    assert response.status_code == 401, (
        f"GET /me answered {said(response)} for the headers {headers}: a real user's token "
        "without the Bearer scheme is no bearer token"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer t-nobody"}, {"Authorization": "Basic dC1hbm46"}],
    ids=["no-header", "unknown-token", "basic-scheme"],
)
@pytest.mark.hint(
    "Every 401 of get_current_user carries the header `WWW-Authenticate: Bearer`: "
    '`HTTPException(401, ..., headers={"WWW-Authenticate": "Bearer"})`, for a missing '
    "token and for an unknown one alike."
)
def test_every_401_says_www_authenticate_bearer(main, client_on, headers):
    response = client_on("main").get("/me", headers=headers)
    challenge = response.headers.get("www-authenticate")
    assert response.status_code == 401 and (challenge or "").split(" ")[0].lower() == "bearer", (
        f"GET /me answered {said(response)} with WWW-Authenticate: {challenge!r} for the "
        f"headers {headers}: expected 401 with WWW-Authenticate: Bearer"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    "token,expected",
    [
        ("t-ann", {"username": "ann", "is_admin": False}),
        ("t-root", {"username": "root", "is_admin": True}),
        ("t-ivy", 403),
        ("t-old", 403),
        (None, 401),
    ],
    ids=["ann", "root", "inactive-ivy", "inactive-admin-old", "no-token"],
)
def test_me_needs_an_active_user(main, client_on, token, expected):
    response = client_on("main").get("/me", headers=bearer(token))
    if isinstance(expected, int):
        assert response.status_code == expected, (
            f"GET /me with {token or 'no token'} answered {said(response)}, not {expected}"
        )
    else:
        assert response.status_code == 200 and response.json() == expected, (
            f"GET /me with {token} answered {said(response)}, expected 200 {expected}"
        )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    "token,expected",
    [("t-root", 200), ("t-ann", 403), ("t-old", 403), ("t-ivy", 403), (None, 401)],
    ids=["admin", "not-admin", "inactive-admin", "inactive", "no-token"],
)
@pytest.mark.hint(
    "get_admin_user depends on get_active_user, not on get_current_user: an inactive admin "
    "is refused with 403 before the admin check."
)
def test_admin_user_needs_an_active_admin(main, client_on, token, expected):
    response = client_on("main", app=probe_app(main, "get_admin_user")).get(
        "/who", headers=bearer(token)
    )
    assert response.status_code == expected, (
        f"a route depending on get_admin_user answered {said(response)} for "
        f"{token or 'no token'}, not {expected}"
    )


@pytest.mark.task(2)
def test_the_chain_counts_its_runs(main, client_on):
    response = client_on("main").get("/me", headers=bearer("t-ann"))
    assert response.status_code == 200, f"GET /me answered {said(response)}"
    counts = {name: main.CALLS.get(name, 0) for name in CHAIN}
    expected = {"get_db": 1, "get_current_user": 1, "get_active_user": 1, "get_admin_user": 0}
    assert counts == expected, f"after one GET /me, CALLS holds {counts}, expected {expected}"


# --- Task 3: GET /admin/report ------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_report_for_an_admin(main, client_on):
    response = client_on("main").get("/admin/report", headers=bearer("t-root"))
    expected = {"requested_by": "root", "users": 4, "active_users": 2}
    assert response.status_code == 200 and response.json() == expected, (
        f"GET /admin/report as root answered {said(response)}, expected 200 {expected}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    "token,expected",
    [("t-ann", 403), ("t-old", 403), ("t-ivy", 403), ("t-nobody", 401), (None, 401)],
    ids=["not-admin", "inactive-admin", "inactive", "unknown-token", "no-token"],
)
def test_report_refuses_everyone_else(main, client_on, token, expected):
    response = client_on("main").get("/admin/report", headers=bearer(token))
    assert response.status_code == expected, (
        f"GET /admin/report with {token or 'no token'} answered {said(response)}, not {expected}"
    )


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Declare every link with Depends and let FastAPI's per-request cache share the results: "
    "no dependency may call another one itself, and none may use `use_cache=False`."
)
def test_each_dependency_runs_once_per_request(main, client_on):
    client = client_on("main")
    for number in (1, 2):
        response = client.get("/admin/report", headers=bearer("t-root"))
        assert response.status_code == 200, f"GET /admin/report answered {said(response)}"
        counts = {name: main.CALLS.get(name, 0) for name in CHAIN}
        expected = dict.fromkeys(CHAIN, number)
        assert counts == expected, (
            f"after {number} GET /admin/report request(s), CALLS holds {counts}, expected "
            f"{expected}: each dependency runs once per request"
        )


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_overridden_settings_change_the_report(main, client_on):
    client = client_on("staging")
    response = client.get("/admin/report", headers=bearer("t-sam"))
    expected = {"requested_by": "sam", "users": 2, "active_users": 2}
    assert response.status_code == 200 and response.json() == expected, (
        f"with get_settings pointing at the staging database, GET /admin/report as sam "
        f"answered {said(response)}, expected 200 {expected}"
    )
    other = client.get("/admin/report", headers=bearer("t-root"))
    assert other.status_code == 401, (
        f"root exists only in the main database, yet on staging their token answered {said(other)}"
    )


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "get_active_user must receive the user through Depends(get_current_user), and "
    "get_admin_user through Depends(get_active_user): then an override of one link reaches "
    "every link after it."
)
def test_overridden_current_user_reaches_the_whole_chain(main, client_on):
    admin = ghost(main)
    response = client_on("main", get_current_user=lambda: admin).get("/admin/report")
    assert response.status_code == 200, (
        f"with get_current_user overridden to return an active admin 'ghost', GET "
        f"/admin/report without a token answered {said(response)}"
    )
    assert response.json().get("requested_by") == "ghost", (
        f"with get_current_user overridden, the report answered {response.json()}"
    )
    asleep = ghost(main, active=False)
    refused = client_on("main", get_current_user=lambda: asleep).get("/admin/report")
    assert refused.status_code == 403, (
        f"with get_current_user overridden to return an inactive admin, GET /admin/report "
        f"answered {said(refused)}, not 403"
    )


@pytest.mark.task(3)
@pytest.mark.points(4)
def test_overridden_active_user_is_what_the_admin_check_sees(main, client_on):
    admin = ghost(main)
    response = client_on("main", get_active_user=lambda: admin).get(
        "/admin/report", headers=bearer("t-ann")
    )
    assert response.status_code == 200, (
        f"with get_active_user overridden to return an admin, GET /admin/report with ann's "
        f"token answered {said(response)}: get_admin_user did not check the overridden user"
    )
    assert response.json().get("requested_by") == "ann", (
        f"requested_by names get_current_user's user (ann); the report answered {response.json()}"
    )
    plain = ghost(main, admin=False)
    refused = client_on("main", get_active_user=lambda: plain).get(
        "/admin/report", headers=bearer("t-root")
    )
    assert refused.status_code == 403, (
        f"with get_active_user overridden to return a non-admin, GET /admin/report with "
        f"root's token answered {said(refused)}, not 403"
    )
