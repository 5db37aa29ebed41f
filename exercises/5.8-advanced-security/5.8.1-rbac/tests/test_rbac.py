"""Hidden tests for 5.8.1: a bearer JWT with a role, ROLE_PERMISSIONS, and routes that declare
their checks as dependencies.

The module runs the learner's app once, on one in-memory database and one event loop (an app
and an engine per test cost more than most tests' requests); each test starts from an empty
database (every table emptied, ids counted from 1 again), fills it with rows of the starter's
`User` and `Article`, calls the routes with tokens the tests sign themselves (`exp` one hour
ahead of the machine's clock), and reads back what was committed.
Every refusal test first shows the genuine request of the same shape being let in, so that an app
refusing everything cannot pass it. Letting a stranger in, a user past their role, a user onto
someone else's article or a body field past the rules weighs as much as a whole task (20 points).
"""

import time
import warnings

import jwt
import pytest
from fastapi import Depends, FastAPI
from sqlalchemy import select

from grader.testing import (
    empty_database,
    fresh_scalars,
    looped_client,
    memory_engine,
    overridden_db,
    reversed_scans,
)

OTHER_KEY = "an-attacker-s-own-key-that-is-long-enough-1234"
ARTICLE_ROUTES = [
    ("GET", "/articles"),
    ("GET", "/articles/{id}"),
    ("POST", "/articles"),
    ("PATCH", "/articles/{id}"),
    ("DELETE", "/articles/{id}"),
]


@pytest.fixture(scope="module")
def main(learner):
    return learner.require(
        "main",
        "app",
        "get_db",
        "Base",
        "User",
        "Article",
        "SECRET_KEY",
        "ALGORITHM",
        "ROLE_PERMISSIONS",
        "require_permission",
        "require_roles",
    )


def sign(claims, key, algorithm="HS256"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short HS512 keys and "none" warn; that is the point
        return jwt.encode(claims, key, algorithm=algorithm)


def said(response):
    return f"{response.status_code} {response.text[:200]}"


class Api:
    def __init__(self, main, db):
        self.main = main
        self.db = db
        self.client = db.client

    # tokens ----------------------------------------------------------------------------------

    def token(self, sub="alice", role="user", *, exp_in=3600, without=()):
        claims = {"sub": sub, "role": role, "exp": int(time.time()) + exp_in}
        for name in without:
            claims.pop(name)
        return sign(claims, self.main.SECRET_KEY)

    # rows ------------------------------------------------------------------------------------

    def add_article(self, author, title="Original title", body="Original body"):
        with self.db.sessions() as session:
            article = self.main.Article(title=title, body=body, author=author)
            session.add(article)
            session.commit()
            return article.id

    def add_user(self, username, role, display_name=None):
        with self.db.sessions() as session:
            session.add(
                self.main.User(
                    username=username, display_name=display_name or username.title(), role=role
                )
            )
            session.commit()

    def articles(self):
        rows = self.db.scalars(select(self.main.Article))
        return {a.id: {"title": a.title, "body": a.body, "author": a.author} for a in rows}

    def users(self):
        rows = self.db.scalars(select(self.main.User))
        return {u.username: {"display_name": u.display_name, "role": u.role} for u in rows}

    # requests --------------------------------------------------------------------------------

    def call(self, method, path, who=None, json=None, headers=None):
        """`who` is (sub, role), a raw token string, or None for no Authorization header."""
        headers = dict(headers or {})
        if isinstance(who, tuple):
            headers["Authorization"] = f"Bearer {self.token(*who)}"
        elif isinstance(who, str):
            headers["Authorization"] = f"Bearer {who}"
        return self.client.request(method, path, json=json, headers=headers)

    def expect(self, status, method, path, who=None, json=None, headers=None, what=None):
        response = self.call(method, path, who, json, headers)
        what = what or f"{method} {path} as {describe(who)}"
        extra = f" with body {json}" if json is not None else ""
        assert response.status_code == status, (
            f"{what}{extra} answered {said(response)}, expected {status}"
        )
        return response


def describe(who):
    if who is None:
        return "nobody (no Authorization header)"
    if isinstance(who, tuple):
        return f"{who[0]!r} with role {who[1]!r}"
    return "that token"


class Db:
    """The client, the engine and its session factory (as the kit's `db_client` gives them)."""

    def __init__(self, client, engine, sessions):
        self.client, self.engine, self.sessions = client, engine, sessions

    def scalars(self, statement):
        """Rows read through a fresh Session: what was really committed."""
        return fresh_scalars(self.engine, statement)


@pytest.fixture(scope="module")
def shared_db(main):
    """The learner's app with `get_db` overridden onto one in-memory database, and one client
    whose requests share one event loop, for the whole module."""
    engine = memory_engine(main.Base.metadata)
    with overridden_db(main.app, main.get_db, engine) as sessions:
        with looped_client(main.app) as client:
            yield Db(client, engine, sessions)
    engine.dispose()


def emptied(db, metadata):
    """`db` as a new database: every table emptied (children first), ids counted from 1."""
    empty_database(db.engine, metadata)
    return db


@pytest.fixture
def api(main, shared_db):
    return Api(main, emptied(shared_db, main.Base.metadata))


def body_for(method):
    return {"title": "Written by the test", "body": "Some text"} if method != "GET" else None


def challenge_of(response):
    return response.headers.get("www-authenticate", "")


# --- Task 1: who is calling ----------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "Read the token with `HTTPBearer()` in a dependency, decode it with "
    "jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM], options={'require': ['sub', 'exp']}) "
    "and give the handler the caller's sub and role."
)
def test_valid_token_is_let_in(api):
    article_id = api.add_article("zoe")
    response = api.expect(200, "GET", "/articles", ("alice", "user"))
    ids = [a.get("id") for a in response.json()]
    assert ids == [article_id], f"GET /articles as alice answered {said(response)}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`HTTPBearer()` answers 401 with WWW-Authenticate: Bearer by itself when there are no "
    "Bearer credentials (no header, or another scheme)."
)
@pytest.mark.parametrize(
    "authorization",
    [None, "Basic YWxpY2U6c2VjcmV0", "Token {valid}", "Bearer"],
    ids=["no-header", "basic", "token-scheme", "empty-bearer"],
)
def test_missing_bearer_credentials_answer_401_with_challenge(api, authorization):
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization.format(valid=api.token("root", "admin"))
    what = f"GET /articles with Authorization {headers.get('Authorization', '<none>')!r}"
    response = api.expect(401, "GET", "/articles", headers=headers, what=what)
    assert challenge_of(response).lower().startswith("bearer"), (
        f"{what} answered 401 with WWW-Authenticate {challenge_of(response)!r}, expected Bearer"
    )


def forged_tokens(main):
    """(description, token) pairs that must never authenticate; each claims the admin role."""
    now = int(time.time())
    admin = {"sub": "mallory", "role": "admin"}
    return [
        ("a token signed with another key", sign({**admin, "exp": now + 3600}, OTHER_KEY)),
        ("an unsigned token (alg none)", sign({**admin, "exp": now + 3600}, None, "none")),
        (
            "a token signed with SECRET_KEY and HS512",
            sign({**admin, "exp": now + 3600}, main.SECRET_KEY, "HS512"),
        ),
        ("a token expired a day ago", sign({**admin, "exp": now - 86400}, main.SECRET_KEY)),
        ("a token without exp", sign(dict(admin), main.SECRET_KEY)),
        ("a token without sub", sign({"role": "admin", "exp": now + 3600}, main.SECRET_KEY)),
        (
            "a token whose sub is a number",
            sign({"sub": 42, "role": "admin", "exp": now + 3600}, main.SECRET_KEY),
        ),
        ("the string 'abc'", "abc"),
        ("three dots", "a.b.c"),
    ]


@pytest.mark.task(1)
@pytest.mark.points(20)
@pytest.mark.hint(
    "Pin the algorithm (algorithms=[ALGORITHM]), keep PyJWT's exp check on, require sub and exp "
    "(options={'require': ['sub', 'exp']}), and turn every jwt.InvalidTokenError into 401 with "
    "WWW-Authenticate: Bearer. A forged token must never reach a permission check."
)
def test_forged_expired_or_malformed_tokens_answer_401(api):
    article_id = api.add_article("zoe")
    api.add_user("mallory", "user")
    api.expect(204, "DELETE", f"/articles/{article_id}", ("root", "admin"))  # the genuine one
    article_id = api.add_article("zoe")
    before = api.articles(), api.users()
    routes = [
        ("DELETE", f"/articles/{article_id}", None),
        ("PATCH", "/users/mallory", {"role": "admin"}),
    ]
    for index, (description, token) in enumerate(forged_tokens(api.main)):
        for method, path, body in [routes[index % 2]]:
            what = f"{method} {path} with {description} claiming role admin"
            response = api.expect(401, method, path, token, json=body, what=what)
            assert challenge_of(response).lower().startswith("bearer"), (
                f"{what} answered 401 without WWW-Authenticate: Bearer "
                f"(headers {dict(response.headers)})"
            )
    assert (api.articles(), api.users()) == before, (
        "requests with forged or expired tokens changed the database"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Authentication comes first: a request without a valid token answers 401 before its body "
    "is validated and before anything is looked up (declare the checks as dependencies)."
)
def test_401_comes_before_validation_and_lookup(api):
    for method, path, body in [
        ("POST", "/users", {}),
        ("POST", "/articles", {"title": ""}),
        ("PATCH", "/articles/999", {"title": "x"}),
        ("DELETE", "/articles/999", None),
    ]:
        api.expect(401, method, path, None, json=body)


# --- Task 2: permissions and roles ---------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "ROLE_PERMISSIONS = {'user': {...}, 'editor': {...}, 'admin': {...}}: exactly these three "
    "roles, with the permission strings of the table, each set containing the one before."
)
def test_role_permissions_table(main):
    user = {"articles:read", "articles:create", "articles:update:own"}
    editor = user | {"articles:update:any"}
    admin = editor | {"articles:delete"}
    table = main.ROLE_PERMISSIONS
    assert isinstance(table, dict) and set(table) == {"user", "editor", "admin"}, (
        f"ROLE_PERMISSIONS has the keys {sorted(map(str, table))}, expected user, editor, admin"
    )
    for role, expected in [("user", user), ("editor", editor), ("admin", admin)]:
        assert set(table[role]) == expected, (
            f"ROLE_PERMISSIONS[{role!r}] is {sorted(table[role])}, expected {sorted(expected)}"
        )


UNKNOWN_ROLES = [  # (description, role claim, the routes tried: indexes into `routes`)
    ("the role ['admin']", ["admin"], range(10)),
    ("no role claim", None, (0, 4, 8)),
    ("the role 'superuser'", "superuser", (0,)),
    ("the role {'admin': true}", {"admin": True}, (0,)),
    ("the role 1", 1, (0,)),
    ("the role 'Admin'", "Admin", (4,)),
    ("the role 'ADMIN'", "ADMIN", (4,)),
    ("the role 'superadmin'", "superadmin", (4,)),
    ("the role ' admin'", " admin", (4,)),
]


@pytest.mark.task(2)
@pytest.mark.points(20)
@pytest.mark.hint(
    "Look the role up in ROLE_PERMISSIONS exactly (a str and a key of the dict, same letter "
    "case), and answer 403 when it is not there, on every route. A list or dict role must not "
    "crash the lookup (unhashable) into a 500, and a substring test lets 'superadmin' in."
)
def test_unknown_role_is_403_everywhere(api):
    article_id = api.add_article("zoe")
    api.add_user("mallory", "user")
    api.expect(200, "GET", "/users/me", ("mallory", "user"))  # the genuine one
    before = api.articles(), api.users()
    routes = [(m, p.format(id=article_id), body_for(m)) for m, p in ARTICLE_ROUTES] + [
        ("GET", "/users", None),
        ("POST", "/users", {"username": "eve", "display_name": "Eve", "role": "admin"}),
        ("PATCH", "/users/mallory", {"role": "admin"}),
        ("GET", "/users/me", None),
        ("PATCH", "/users/me", {"display_name": "Mallory"}),
    ]
    for description, role, tried in UNKNOWN_ROLES:
        without = ("role",) if role is None else ()
        token = api.token("mallory", role, without=without)
        for method, path, body in [routes[i] for i in tried]:
            what = f"{method} {path} as mallory with {description}"
            api.expect(403, method, path, token, json=body, what=what)
    assert (api.articles(), api.users()) == before, (
        "requests with unknown roles changed the database"
    )


def probe_route() -> dict:
    return {"ok": True}


def probe_app(**dependencies):
    """One app (one client) for a test: a route /probe/<name> per dependency, each declaring
    that dependency only."""
    probe = FastAPI()
    for name, dependency in dependencies.items():
        probe.add_api_route(f"/probe/{name}", probe_route, dependencies=[Depends(dependency)])
    return probe


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "require_permission(permission) returns a function that FastAPI calls as a dependency: it "
    "gets the caller (through your token dependency) and raises HTTPException(403) when the "
    "permission is not in ROLE_PERMISSIONS[role]."
)
def test_require_permission_on_a_route_of_its_own(api, app_client):
    main = api.main
    client = app_client(
        probe_app(
            deletes=main.require_permission("articles:delete"),
            updates=main.require_permission("articles:update:any"),
            nobody=main.require_permission("reports:export"),
        )
    )
    cases = [
        ("deletes", "articles:delete", "admin", 200),
        ("deletes", "articles:delete", "editor", 403),
        ("deletes", "articles:delete", "user", 403),
        ("updates", "articles:update:any", "editor", 200),
        ("updates", "articles:update:any", "admin", 200),
        ("updates", "articles:update:any", "user", 403),
        ("nobody", "reports:export", "admin", 403),
    ]
    for route, permission, role, status in cases:
        headers = {"Authorization": f"Bearer {api.token('someone', role)}"}
        response = client.get(f"/probe/{route}", headers=headers)
        assert response.status_code == status, (
            f"a route with Depends(require_permission({permission!r})) answered "
            f"{said(response)} to the role {role!r}, expected {status}"
        )
    response = client.get("/probe/deletes")
    assert response.status_code == 401, (
        f"a route with Depends(require_permission('articles:delete')) answered {said(response)} "
        f"to a request without a token, expected 401"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "require_roles(*roles) returns a dependency that answers 403 unless the caller's role is "
    "exactly one of roles: no hierarchy, so admin does not pass require_roles('editor')."
)
def test_require_roles_on_a_route_of_its_own(api, app_client):
    main = api.main
    client = app_client(
        probe_app(
            staff=main.require_roles("editor", "admin"),
            editors=main.require_roles("editor"),
        )
    )
    cases = [
        ("staff", "'editor', 'admin'", "editor", 200),
        ("staff", "'editor', 'admin'", "admin", 200),
        ("staff", "'editor', 'admin'", "user", 403),
        ("editors", "'editor'", "editor", 200),
        ("editors", "'editor'", "admin", 403),
        ("editors", "'editor'", "user", 403),
    ]
    for route, roles, role, status in cases:
        headers = {"Authorization": f"Bearer {api.token('someone', role)}"}
        response = client.get(f"/probe/{route}", headers=headers)
        assert response.status_code == status, (
            f"a route with Depends(require_roles({roles})) answered {said(response)} to the "
            f"role {role!r}, expected {status}"
        )
    response = client.get("/probe/staff")
    assert response.status_code == 401, (
        f"a route with Depends(require_roles('editor', 'admin')) answered {said(response)} to a "
        f"request without a token, expected 401"
    )


@pytest.mark.task(2)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Read ROLE_PERMISSIONS when the request comes in (ROLE_PERMISSIONS.get(role)), never a copy "
    "made at import, and check permissions, not role names, on the article routes: a new role "
    "must work by adding it to the table alone, and a permission taken away must stop working."
)
def test_permissions_are_read_from_the_table_at_request_time(api, monkeypatch):
    table = api.main.ROLE_PERMISSIONS
    first = api.add_article("zoe")
    second = api.add_article("zoe")
    monkeypatch.setitem(table, "moderator", {"articles:read", "articles:delete"})
    api.expect(
        200,
        "GET",
        "/articles",
        ("mia", "moderator"),
        what="GET /articles as the role 'moderator' just added to ROLE_PERMISSIONS",
    )
    api.expect(
        204,
        "DELETE",
        f"/articles/{first}",
        ("mia", "moderator"),
        what="DELETE as 'moderator' (added to ROLE_PERMISSIONS with articles:delete)",
    )
    api.expect(
        403,
        "POST",
        "/articles",
        ("mia", "moderator"),
        json=body_for("POST"),
        what="POST /articles as 'moderator' (added without articles:create)",
    )
    monkeypatch.setitem(table, "user", set(table["user"]) | {"articles:delete"})
    api.expect(
        204,
        "DELETE",
        f"/articles/{second}",
        ("alice", "user"),
        what="DELETE as 'user' once articles:delete is added to ROLE_PERMISSIONS['user']",
    )
    monkeypatch.setitem(table, "user", set(table["user"]) - {"articles:create"})
    api.expect(
        403,
        "POST",
        "/articles",
        ("alice", "user"),
        json=body_for("POST"),
        what="POST /articles as 'user' once articles:create is taken from its set",
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Declare each check as a dependency (Depends(require_roles('admin')) in the route's "
    "dependencies, or a parameter): FastAPI runs dependencies before it validates the body, so "
    "a caller who may not use the route gets 403, never a 422 that describes the body."
)
def test_refusal_comes_before_body_validation(api, monkeypatch):
    article_id = api.add_article("zoe")
    monkeypatch.setitem(api.main.ROLE_PERMISSIONS, "reader", {"articles:read"})
    for method, path, who, body in [
        ("POST", "/users", ("alice", "user"), {}),
        ("POST", "/users", ("ed", "editor"), {"username": 5}),
        ("PATCH", "/users/alice", ("alice", "user"), {"role": ["admin"]}),
        ("POST", "/articles", ("rita", "reader"), {}),
        ("PATCH", f"/articles/{article_id}", ("rita", "reader"), {"title": ""}),
        ("PATCH", "/articles/999", ("rita", "reader"), {"title": "x"}),
    ]:
        api.expect(403, method, path, who, json=body)


# --- Task 3: the article routes ------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint(
    "Each route declares its permission: read for GET, create for POST, update:any (or "
    "update:own for the author) for PATCH, delete for DELETE, require_roles('admin') for /users."
)
@pytest.mark.parametrize(
    ("role", "method", "path", "status"),
    [
        ("user", "GET", "/articles", 200),
        ("user", "POST", "/articles", 201),
        ("user", "PATCH", "/articles/{id}", 403),
        ("user", "DELETE", "/articles/{id}", 403),
        ("user", "GET", "/users", 403),
        ("editor", "GET", "/articles", 200),
        ("editor", "POST", "/articles", 201),
        ("editor", "PATCH", "/articles/{id}", 200),
        ("editor", "DELETE", "/articles/{id}", 403),
        ("editor", "GET", "/users", 403),
        ("admin", "GET", "/articles", 200),
        ("admin", "POST", "/articles", 201),
        ("admin", "PATCH", "/articles/{id}", 200),
        ("admin", "DELETE", "/articles/{id}", 204),
        ("admin", "GET", "/users", 200),
    ],
)
def test_role_route_matrix(api, role, method, path, status):
    article_id = api.add_article("zoe")  # someone else's article
    path = path.format(id=article_id)
    api.expect(
        status,
        method,
        path,
        ("sam", role),
        json=body_for(method),
        what=f"{method} {path} (an article of zoe's) as sam with role {role!r}",
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "GET /articles lists every article ordered by id; GET /articles/{id} answers the article or "
    "404, with the fields id, title, body and author."
)
def test_read_articles(api):
    first = api.add_article("zoe", "First", "One")
    second = api.add_article("alice", "Second", "Two")
    response = api.expect(200, "GET", "/articles", ("alice", "user"))
    assert response.json() == [
        {"id": first, "title": "First", "body": "One", "author": "zoe"},
        {"id": second, "title": "Second", "body": "Two", "author": "alice"},
    ], f"GET /articles answered {said(response)}"
    response = api.expect(200, "GET", f"/articles/{second}", ("alice", "user"))
    assert response.json() == {"id": second, "title": "Second", "body": "Two", "author": "alice"}
    api.expect(404, "GET", "/articles/999", ("alice", "user"))


@pytest.mark.task(3)
@pytest.mark.hint(
    "SQLite happens to scan a table in id order; only `select(Article).order_by(Article.id)` "
    "makes GET /articles list the articles by id."
)
def test_read_articles_orders_by_id_itself(api):
    ids = [
        api.add_article(author, title)
        for author, title in (("zoe", "A"), ("bob", "B"), ("alice", "C"))
    ]
    with reversed_scans(api.db.engine):
        response = api.expect(200, "GET", "/articles", ("alice", "user"))
    body = response.json()
    listed = [a.get("id") for a in body if isinstance(a, dict)] if isinstance(body, list) else body
    assert listed == ids, (
        f"GET /articles listed the article ids {listed} when SQLite was free to return the rows "
        f"in another order, expected {ids}: order by id in the query"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The author of a new article is the token's sub: Article(title=..., body=..., "
    "author=caller_username)."
)
def test_new_article_is_signed_by_the_caller(api):
    response = api.expect(
        201, "POST", "/articles", ("alice", "user"), json={"title": "Hello", "body": "World"}
    )
    created = response.json()
    assert created.get("author") == "alice" and created.get("title") == "Hello", (
        f"POST /articles as alice answered {said(response)}, expected author 'alice'"
    )
    stored = api.articles()
    assert stored.get(created.get("id"), {}).get("author") == "alice", (
        f"after POST /articles as alice the database holds {stored}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A role with articles:update:own may PATCH the articles whose author is the token's sub: "
    "only the fields sent change."
)
def test_user_updates_own_article(api):
    article_id = api.add_article("alice", "Old title", "Old body")
    response = api.expect(
        200, "PATCH", f"/articles/{article_id}", ("alice", "user"), json={"title": "New title"}
    )
    assert response.json() == {
        "id": article_id,
        "title": "New title",
        "body": "Old body",
        "author": "alice",
    }, f"PATCH of alice's own article answered {said(response)}"
    assert api.articles()[article_id]["title"] == "New title"
    api.expect(404, "PATCH", "/articles/999", ("alice", "user"), json={"title": "x"})
    api.expect(404, "PATCH", "/articles/999", ("ed", "editor"), json={"title": "x"})


@pytest.mark.task(3)
@pytest.mark.points(20)
@pytest.mark.hint(
    "update:own is not update:any: after loading the article, let the caller through only when "
    "their role has articles:update:any, or has articles:update:own AND article.author is the "
    "token's sub. Otherwise 403, before anything is changed."
)
def test_user_cannot_update_someone_elses_article(api):
    own = api.add_article("alice")
    api.expect(200, "PATCH", f"/articles/{own}", ("alice", "user"), json={"title": "Mine"})
    for author in ["bob", "Alice", "alice2"]:
        article_id = api.add_article(author)
        before = api.articles()[article_id]
        for body in [{"title": "Hijacked", "body": "Hijacked"}]:
            api.expect(
                403,
                "PATCH",
                f"/articles/{article_id}",
                ("alice", "user"),
                json=body,
                what=f"PATCH of {author}'s article by alice (role user)",
            )
        assert api.articles()[article_id] == before, (
            f"a refused PATCH of {author}'s article by alice changed it to "
            f"{api.articles()[article_id]}"
        )


@pytest.mark.task(3)
@pytest.mark.points(20)
@pytest.mark.hint(
    "Build the article from the fields you allow, with author=caller: the body models of POST "
    "and PATCH must not declare author (an undeclared field is ignored), and nothing copies "
    "the raw JSON into the row."
)
def test_a_body_never_sets_the_author(api):
    response = api.call(
        "POST",
        "/articles",
        ("alice", "user"),
        json={"title": "Forged", "body": "text", "author": "bob"},
    )
    assert response.status_code in (201, 422), (
        f"POST /articles as alice with author 'bob' in the body answered {said(response)}, "
        f"expected 201 (author ignored) or 422"
    )
    if response.status_code == 201:
        assert response.json().get("author") == "alice", (
            f"POST /articles as alice with author 'bob' in the body answered {said(response)}"
        )
    authors = {a["author"] for a in api.articles().values()}
    assert "bob" not in authors, (
        "POST /articles as alice with author 'bob' in the body stored an article by bob"
    )
    own = api.add_article("alice")
    # the editor's right to edit is the matrix's business: here only the author matters
    for who, allowed in [(("alice", "user"), (200, 422)), (("ed", "editor"), (200, 403, 422))]:
        response = api.call(
            "PATCH", f"/articles/{own}", who, json={"title": "Moved", "author": "bob"}
        )
        assert response.status_code in allowed, (
            f"PATCH of alice's article as {describe(who)} with author 'bob' in the body "
            f"answered {said(response)}, expected 200 (author ignored) or 422"
        )
        assert api.articles()[own]["author"] == "alice", (
            f"PATCH of alice's article as {describe(who)} with author 'bob' in the body "
            f"changed its author to {api.articles()[own]['author']!r}"
        )


@pytest.mark.task(3)
@pytest.mark.points(20)
@pytest.mark.hint(
    "DELETE needs articles:delete (admin only): a user may not delete even their own article. "
    "Check it in a dependency, so that the refusal comes before the lookup (403 for a missing "
    "article too) and nothing is deleted."
)
def test_only_articles_delete_deletes(api):
    target = api.add_article("alice")
    for who in [("alice", "user"), ("ed", "editor")]:
        api.expect(
            403,
            "DELETE",
            f"/articles/{target}",
            who,
            what=f"DELETE of alice's article as {describe(who)}",
        )
        api.expect(
            403,
            "DELETE",
            "/articles/999",
            who,
            what=f"DELETE of a missing article as {describe(who)}",
        )
    assert target in api.articles(), "a refused DELETE deleted the article"
    api.expect(204, "DELETE", f"/articles/{target}", ("root", "admin"))
    assert target not in api.articles(), "DELETE as admin answered 204 but kept the article"
    api.expect(
        404,
        "DELETE",
        f"/articles/{target}",
        ("root", "admin"),
        what="DELETE of an already deleted article as admin",
    )


# --- Task 4: the user routes ---------------------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The /users routes take Depends(require_roles('admin')): an admin lists (by username), "
    "creates (201) and updates (200, 404 for a missing user) any user, role included."
)
def test_admin_manages_users(api):
    api.add_user("zoe", "user", "Zoe")
    response = api.expect(
        201,
        "POST",
        "/users",
        ("root", "admin"),
        json={"username": "bob", "display_name": "Bob", "role": "user"},
    )
    assert response.json() == {"username": "bob", "display_name": "Bob", "role": "user"}, (
        f"POST /users as admin answered {said(response)}"
    )
    response = api.expect(200, "PATCH", "/users/bob", ("root", "admin"), json={"role": "editor"})
    assert response.json() == {"username": "bob", "display_name": "Bob", "role": "editor"}, (
        f"PATCH /users/bob as admin answered {said(response)}"
    )
    response = api.expect(200, "GET", "/users", ("root", "admin"))
    assert response.json() == [
        {"username": "bob", "display_name": "Bob", "role": "editor"},
        {"username": "zoe", "display_name": "Zoe", "role": "user"},
    ], f"GET /users as admin answered {said(response)}"
    api.expect(404, "PATCH", "/users/nobody", ("root", "admin"), json={"role": "user"})


@pytest.mark.task(4)
@pytest.mark.points(20)
@pytest.mark.hint(
    "Every /users route except /users/me is for the admin role only (require_roles('admin')): "
    "a user or an editor must not list users, create one, or change anyone's role, their own "
    "included."
)
def test_only_admins_manage_users(api):
    api.add_user("mallory", "user")
    api.add_user("ed", "editor")
    api.expect(200, "GET", "/users", ("root", "admin"))  # the genuine one
    before = api.users()
    for who in [("mallory", "user"), ("ed", "editor")]:
        api.expect(403, "GET", "/users", who)
        api.expect(
            403,
            "POST",
            "/users",
            who,
            json={"username": "eve", "display_name": "Eve", "role": "admin"},
        )
        api.expect(
            403,
            "PATCH",
            f"/users/{who[0]}",
            who,
            json={"role": "admin"},
            what=f"PATCH /users/{who[0]} (their own user) as {describe(who)}",
        )
        api.expect(403, "PATCH", "/users/mallory", who, json={"display_name": "Pwned"})
    assert api.users() == before, f"refused user requests changed the users to {api.users()}"


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "GET /users/me reads the row whose username is the token's sub (404 when there is none); "
    "PATCH /users/me changes its display_name. Declare both before PATCH /users/{username}."
)
def test_users_me(api):
    api.add_user("alice", "user", "Alice")
    api.add_user("ed", "editor", "Ed")
    response = api.expect(200, "GET", "/users/me", ("alice", "user"))
    assert response.json() == {"username": "alice", "display_name": "Alice", "role": "user"}, (
        f"GET /users/me as alice answered {said(response)}"
    )
    response = api.expect(
        200, "PATCH", "/users/me", ("ed", "editor"), json={"display_name": "Edward"}
    )
    assert response.json() == {"username": "ed", "display_name": "Edward", "role": "editor"}, (
        f"PATCH /users/me as ed answered {said(response)}"
    )
    assert api.users()["ed"]["display_name"] == "Edward"
    api.expect(
        404, "GET", "/users/me", ("ghost", "user"), what="GET /users/me as ghost, who has no row"
    )


@pytest.mark.task(4)
@pytest.mark.points(20)
@pytest.mark.hint(
    "Give PATCH /users/me a body model of its own with display_name only (never the admin's "
    "UserUpdate): a role or username in the body is then ignored, and the stored role stays."
)
def test_users_me_cannot_change_role(api):
    api.add_user("mallory", "user", "Mallory")
    api.add_user("root", "admin", "Root")
    for body in [
        {"display_name": "Mal", "role": "admin"},
        {"role": "admin"},
        {"display_name": "Mal", "username": "root", "role": "admin"},
    ]:
        response = api.call("PATCH", "/users/me", ("mallory", "user"), json=body)
        assert response.status_code in (200, 422), (
            f"PATCH /users/me as mallory with {body} answered {said(response)}, expected 200 "
            f"(role ignored) or 422"
        )
        if response.status_code == 200:
            assert response.json().get("role") == "user", (
                f"PATCH /users/me as mallory with {body} answered {said(response)}"
            )
        users = api.users()
        assert users.get("mallory", {}).get("role") == "user", (
            f"PATCH /users/me as mallory with {body} left the users {users}"
        )
        assert users.get("root") == {"display_name": "Root", "role": "admin"}, (
            f"PATCH /users/me as mallory with {body} changed root: {users}"
        )
