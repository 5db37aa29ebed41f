"""Hidden tests for 5.1.3: the shop API with its four vulnerabilities fixed, shape unchanged.

The module builds one in-memory database (`testing.memory_engine`), seeded once through a
Session of its own: alice and bob (customers) and root (an admin), three products (one with
quotes in its name) and orders of alice and bob with interleaved ids. A copy of it is kept, and
every test starts from that copy (SQLite's backup API writes it back, schema included), through
one client whose requests share one event loop: each test still sees exactly the seeded shop.
The attacks are real payloads; each attack test first shows that the honest request of the same
shape works, and weighs as much as a whole task. compare_digest is watched in `secrets`, `hmac`
and under any name main.py bound it to. The `text()` check reads main.py's source, as the prompt
announces.
"""

import ast
import hmac
import secrets

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader import testing

SECRETS = {
    1: "alice-9f2KqW7xLm3TzR8vNp4Ys6Jd",
    2: "bob-Hc5Ue1sWq0oPf9GkZ2xVb8rN",
    3: "root-Ld3Ty7Mc5Ra1Xe9Qn4Uw2Si6",
}
ALICE, BOB, ROOT = 1, 2, 3
PRODUCTS = [
    {"id": 1, "name": "Widget", "price": 9.5},
    {"id": 2, "name": "O'Reilly's Guide", "price": 39.9},
    {"id": 3, "name": "Gadget", "price": 24.0},
]
ORDERS = [  # (owner, order)
    (ALICE, {"id": 1, "item": "Widget", "quantity": 2, "total": 19.0}),
    (BOB, {"id": 2, "item": "Engagement ring (secret!)", "quantity": 1, "total": 2450.0}),
    (ALICE, {"id": 3, "item": "Gadget", "quantity": 1, "total": 24.0}),
]
USER_FIELDS = ("id", "username", "full_name", "email", "is_admin")


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "Base", "get_db", "User", "Product", "Order")


class Shop:
    def __init__(self, main, client, engine):
        self.main = main
        self.client = client
        self.engine = engine

    def token(self, user_id, secret=None):
        return f"{user_id}.{SECRETS[user_id] if secret is None else secret}"

    def call(self, method, path, user=None, token=None, **options):
        headers = dict(options.pop("headers", {}))
        if user is not None:
            token = self.token(user)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.request(method, path, headers=headers, **options)

    def user_row(self, user_id):
        rows = testing.fresh_scalars(
            self.engine, select(self.main.User).where(self.main.User.id == user_id)
        )
        assert rows, f"the users table no longer holds user {user_id}"
        return {name: getattr(rows[0], name) for name in (*USER_FIELDS, "token_secret")}

    def products(self, name):
        return self.call("GET", "/products", params={"name": name})


def seed(main, engine):
    with Session(engine) as session:
        names = {ALICE: "alice", BOB: "bob", ROOT: "root"}
        for user_id, username in names.items():
            session.add(
                main.User(
                    id=user_id,
                    username=username,
                    full_name=f"{username.title()} Example",
                    email=f"{username}@example.com",
                    is_admin=user_id == ROOT,
                    token_secret=SECRETS[user_id],
                )
            )
        session.flush()
        session.add_all(main.Product(**product) for product in PRODUCTS)
        session.add_all(main.Order(user_id=owner, **order) for owner, order in ORDERS)
        session.commit()


@pytest.fixture(scope="module")
def seeded_shop(learner):
    """The module's database, seeded once, a copy of it, and one client of the app (its
    requests on one event loop) with get_db handing out sessions on that database."""
    main = learner.require("main", "app", "Base", "get_db", "User", "Product", "Order")
    engine = testing.memory_engine(main.Base.metadata)
    seed(main, engine)
    seeded = testing.SavedDatabase(engine)
    with (
        testing.overridden_db(main.app, main.get_db, engine),
        testing.looped_client(main.app) as client,
    ):
        yield Shop(main, client, engine), seeded
    seeded.close()
    engine.dispose()


@pytest.fixture
def shop(main, seeded_shop):
    """The seeded shop, as it was before any test changed it."""
    shop, seeded = seeded_shop
    seeded.restore()
    return shop


@pytest.fixture
def digest_calls(main, monkeypatch):
    """Every call of compare_digest made while the test runs, whatever name it is called by."""
    original = hmac.compare_digest
    calls = []

    def watched(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", watched)
    monkeypatch.setattr(secrets, "compare_digest", watched)
    for name, value in list(vars(main).items()):
        if value is original or value is secrets.compare_digest:
            monkeypatch.setattr(main, name, watched)
    return calls


def said(response):
    return f"{response.status_code} {response.text[:300]}"


def expect(response, status, what, body=None):
    assert response.status_code == status, f"{what} answered {said(response)}, expected {status}"
    if body is not None:
        assert response.json() == body, f"{what} answered {said(response)}, expected {body}"
    return response


def public(user):
    return {name: user[name] for name in USER_FIELDS}


# --- Task 1: SQL injection --------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "GET /products?name=Widget answers the products whose name is exactly the value, as "
    "[{'id', 'name', 'price'}] ordered by id, and [] when none matches."
)
@pytest.mark.parametrize("name", ["Widget", "Gadget", "widget", "Widge"])
def test_search_finds_products_by_exact_name(shop, name):
    expected = [p for p in PRODUCTS if p["name"] == name]
    expect(shop.products(name), 200, f"GET /products?name={name}", expected)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A quote in the value breaks SQL pasted together with an f-string (a 500), and stripping "
    "quotes finds nothing. With a bound parameter, text('... WHERE name = :name') and "
    "{'name': name}, the value is never parsed as SQL, quotes included."
)
def test_name_with_quotes_is_found(shop):
    name = "O'Reilly's Guide"
    expect(shop.products(name), 200, f"GET /products?name={name}", [PRODUCTS[1]])


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Never paste the value into the SQL text. Use `text('SELECT id, name, price FROM products "
    "WHERE name = :name ORDER BY id')` with `{'name': name}`, or "
    "`select(Product).where(Product.name == name)`: every payload is then only a name that no "
    "product has."
)
def test_injection_payloads_find_nothing_and_leak_nothing(shop):
    expect(shop.products("Widget"), 200, "GET /products?name=Widget", [PRODUCTS[0]])
    payloads = [
        "' OR '1'='1",
        "Widget' OR 'x'='x",
        "' OR 1=1 --",
        "' UNION SELECT id, token_secret, 0 FROM users --",
        "' UNION SELECT id, username || ':' || email, id FROM users --",
        "Widget' --",
        "x'; DROP TABLE products; --",
    ]
    leaks = [*SECRETS.values(), "alice@example.com", "root"]
    for payload in payloads:
        response = expect(shop.products(payload), 200, f"GET /products?name={payload}", [])
        for leak in leaks:
            assert leak not in response.text, (
                f"GET /products?name={payload} leaked {leak!r}: {said(response)}"
            )
    expect(
        shop.products("Gadget"), 200, "GET /products?name=Gadget after the payloads", [PRODUCTS[2]]
    )


def sql_argument_problems(source):
    tree = ast.parse(source)
    constants = set()
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if targets and isinstance(value, ast.Constant) and isinstance(value.value, str):
            constants |= {t.id for t in targets if isinstance(t, ast.Name)}
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = getattr(func, "id", None) or getattr(func, "attr", None)
        if name not in ("text", "exec_driver_sql"):
            continue
        arguments = [*node.args, *(k.value for k in node.keywords)]
        sql = arguments[0] if arguments else None
        literal = isinstance(sql, ast.Constant) and isinstance(sql.value, str)
        constant = isinstance(sql, ast.Name) and sql.id in constants
        if not (literal or constant):
            shown = ast.unparse(sql) if sql is not None else "nothing"
            problems.append(f"line {node.lineno}: {name}({shown[:80]})")
    return problems


@pytest.mark.task(1)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Write the SQL of every text() call as a plain string literal with :placeholders, in the "
    "call or in a module-level constant, and give the values separately. An f-string, %, "
    ".format(), + or .join() there builds SQL from data, even when you escape the quotes."
)
def test_every_text_call_takes_a_literal_sql_string(learner, main):
    problems = sql_argument_problems(learner.source("main.py"))
    assert not problems, (
        "main.py builds the SQL of text()/exec_driver_sql() from something other than a string "
        f"literal: {'; '.join(problems)}"
    )


# --- Task 2: object-level authorization --------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.hint(
    "GET /orders/{order_id} answers the caller's own order as {'id', 'item', 'quantity', 'total'}."
)
@pytest.mark.parametrize(("user", "index"), [(ALICE, 0), (ALICE, 2), (BOB, 1)])
def test_owner_reads_own_order(shop, user, index):
    order = ORDERS[index][1]
    response = shop.call("GET", f"/orders/{order['id']}", user=user)
    expect(response, 200, f"GET /orders/{order['id']} by its owner (user {user})", order)


@pytest.mark.task(2)
@pytest.mark.hint("GET /orders lists the caller's orders only, ordered by id.")
def test_order_list_shows_only_the_callers_orders(shop):
    mine = [order for owner, order in ORDERS if owner == ALICE]
    expect(shop.call("GET", "/orders", user=ALICE), 200, "GET /orders by alice", mine)
    expect(shop.call("GET", "/orders", user=ROOT), 200, "GET /orders by root", [])


@pytest.mark.task(2)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Put the owner into the lookup: select(Order).where(Order.id == order_id, Order.user_id "
    "== user.id), and answer the same 404 'Order not found' when it finds nothing, so another "
    "user's order looks exactly like a missing one."
)
def test_another_users_order_is_the_same_404_as_a_missing_one(shop):
    bob_order = ORDERS[1][1]
    expect(
        shop.call("GET", "/orders/2", user=BOB), 200, "GET /orders/2 by bob (its owner)", bob_order
    )
    missing = expect(shop.call("GET", "/orders/999", user=ALICE), 404, "GET /orders/999 by alice")
    for user, name in [(ALICE, "alice"), (ROOT, "root (an admin)")]:
        response = expect(
            shop.call("GET", "/orders/2", user=user), 404, f"GET /orders/2 (bob's) by {name}"
        )
        assert response.json() == missing.json() == {"detail": "Order not found"}, (
            f"GET /orders/2 (bob's) by {name} answered {response.text[:200]} and a missing "
            f"order {missing.text[:200]}: both must be {{'detail': 'Order not found'}}"
        )
        assert bob_order["item"] not in response.text, (
            f"GET /orders/2 by {name} repeats bob's item: {said(response)}"
        )


@pytest.mark.task(2)
@pytest.mark.hint("An order id that does not exist answers 404 {'detail': 'Order not found'}.")
def test_missing_order_is_404(shop):
    response = shop.call("GET", "/orders/999", user=BOB)
    expect(response, 404, "GET /orders/999 by bob", {"detail": "Order not found"})


# --- Task 3: mass assignment -------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint(
    "PATCH /users/me sets the fields sent (full_name, email), commits, and answers the user "
    "as {'id', 'username', 'full_name', 'email', 'is_admin'}."
)
@pytest.mark.parametrize(
    "changes",
    [
        {"full_name": "Alice Liddell"},
        {"email": "a.liddell@example.org"},
        {"full_name": "A. L.", "email": "al@example.net"},
    ],
    ids=["full_name", "email", "both"],
)
def test_patch_changes_the_allowed_fields(shop, changes):
    before = shop.user_row(ALICE)
    response = shop.call("PATCH", "/users/me", user=ALICE, json=changes)
    expected = {**public(before), **changes}
    expect(response, 200, f"PATCH /users/me {changes} by alice", expected)
    after = shop.user_row(ALICE)
    assert public(after) == expected, (
        f"after PATCH /users/me {changes}, the stored user is {public(after)}, expected {expected}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Set only the fields the body holds: changes.model_dump(exclude_unset=True). A plain "
    "model_dump() writes None over every field left out."
)
def test_fields_left_out_keep_their_value(shop):
    shop.call("PATCH", "/users/me", user=BOB, json={"full_name": "Robert"})
    shop.call("PATCH", "/users/me", user=BOB, json={"email": "robert@example.org"})
    after = public(shop.user_row(BOB))
    expected = {
        "id": BOB,
        "username": "bob",
        "full_name": "Robert",
        "email": "robert@example.org",
        "is_admin": False,
    }
    assert after == expected, f"after two PATCHes of one field each, bob is {after}"
    me = shop.call("GET", "/users/me", user=BOB)
    expect(me, 200, "GET /users/me by bob", expected)


@pytest.mark.task(3)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Give PATCH /users/me a body model with only full_name and email, and "
    "model_config = ConfigDict(extra='forbid'): is_admin in the body is then a 422 before "
    "your code runs. A schema that lists is_admin, or a loop of setattr over a dict, lets "
    "anyone make themselves admin."
)
def test_is_admin_in_the_body_is_422_and_changes_nothing(shop):
    expect(shop.call("GET", "/admin/users", user=ALICE), 403, "GET /admin/users by alice")
    before = shop.user_row(ALICE)
    for body in [
        {"is_admin": True},
        {"full_name": "Mallory", "is_admin": True},
        {"is_admin": 1},
        {"is_admin": "true"},
    ]:
        response = shop.call("PATCH", "/users/me", user=ALICE, json=body)
        expect(response, 422, f"PATCH /users/me {body} by alice")
        after = shop.user_row(ALICE)
        assert after == before, (
            f"PATCH /users/me {body} answered {response.status_code} but the stored user "
            f"changed from {public(before)} to {public(after)}"
        )
        admin = shop.call("GET", "/admin/users", user=ALICE)
        expect(admin, 403, f"GET /admin/users by alice after PATCH /users/me {body}")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "With extra='forbid' on the body model, every field it does not declare is a 422: id, "
    "username, token_secret and names the app does not know alike."
)
@pytest.mark.parametrize(
    "body",
    [
        {"id": 2},
        {"username": "root"},
        {"token_secret": "mine-now"},
        {"full_name": "Alice", "role": "admin"},
    ],
    ids=["id", "username", "token_secret", "unknown-field"],
)
def test_other_fields_are_422_and_change_nothing(shop, body):
    before = shop.user_row(ALICE)
    response = shop.call("PATCH", "/users/me", user=ALICE, json=body)
    expect(response, 422, f"PATCH /users/me {body} by alice")
    after = shop.user_row(ALICE)
    assert after == before, (
        f"PATCH /users/me {body} changed the stored user from {before} to {after}"
    )


@pytest.mark.task(3)
@pytest.mark.hint("GET /admin/users stays: the list of users for an admin, 403 for others.")
def test_admin_list_is_for_admins_only(shop):
    response = shop.call("GET", "/admin/users", user=ROOT)
    expect(response, 200, "GET /admin/users by root")
    assert [u.get("username") for u in response.json()] == ["alice", "bob", "root"], (
        f"GET /admin/users by root answered {said(response)}"
    )
    assert all("token_secret" not in u for u in response.json()), said(response)
    expect(shop.call("GET", "/admin/users", user=BOB), 403, "GET /admin/users by bob")


# --- Task 4: the secret compared in constant time ----------------------------------------------


@pytest.mark.task(4)
@pytest.mark.hint(
    "Keep authentication working: '<id>.<secret>' of an existing user lets in; anything else "
    "is a 401 with WWW-Authenticate: Bearer."
)
def test_valid_token_authenticates_and_a_wrong_one_is_401(shop):
    me = shop.call("GET", "/users/me", user=ALICE)
    expect(me, 200, "GET /users/me with alice's token", public(shop.user_row(ALICE)))
    cases = [
        ("no token", None),
        ("a wrong secret", shop.token(ALICE, SECRETS[ALICE][:-1] + "X")),
        ("bob's secret with alice's id", shop.token(ALICE, SECRETS[BOB])),
        ("an unknown user id", f"99.{SECRETS[ALICE]}"),
    ]
    for what, token in cases:
        response = expect(
            shop.call("GET", "/users/me", token=token), 401, f"GET /users/me with {what}"
        )
        challenge = response.headers.get("www-authenticate", "")
        assert challenge.lower().startswith("bearer"), (
            f"GET /users/me with {what} answered 401 with WWW-Authenticate {challenge!r}"
        )


@pytest.mark.task(4)
@pytest.mark.hint(
    "Every route but GET /products depends on get_current_user: without a token it answers "
    "401 with WWW-Authenticate: Bearer."
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/orders"), ("GET", "/orders/1"), ("PATCH", "/users/me"), ("GET", "/admin/users")],
)
def test_every_route_but_products_needs_a_token(shop, method, path):
    body = {"full_name": "Nobody"} if method == "PATCH" else None
    response = expect(shop.call(method, path, json=body), 401, f"{method} {path} without a token")
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.lower().startswith("bearer"), (
        f"{method} {path} without a token answered 401 with WWW-Authenticate {challenge!r}"
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Malformed tokens are 401, never 500: check the id part is digits (and short enough for "
    "the database's integer) before int(), and compare bytes, compare_digest(stored.encode(), "
    "sent.encode()), since compare_digest raises TypeError for a str that is not ASCII."
)
def test_malformed_or_non_ascii_token_is_401_not_500(shop):
    for what, header in [
        ("'abc'", "Bearer abc"),
        ("'1' (no secret)", "Bearer 1"),
        ("'x.secret'", "Bearer x.secret"),
        ("'.'", "Bearer ."),
        ("alice's id with a non-ASCII secret", "Bearer 1.clé-ünïcode".encode()),
        (
            "an unknown user id too large for a database integer",
            f"Bearer 99999999999999999999.{SECRETS[ALICE]}",
        ),
    ]:
        response = shop.client.get("/users/me", headers={"Authorization": header})
        expect(response, 401, f"GET /users/me with the token {what}")


@pytest.mark.task(4)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Compare with secrets.compare_digest(user.token_secret.encode(), secret.encode()), never "
    "with == or !=: those stop at the first differing character. A == check before "
    "compare_digest skips it for every wrong secret."
)
def test_secret_is_compared_with_compare_digest(shop, digest_calls):
    wrong = SECRETS[ALICE][:-1] + "X"
    for what, token, status in [
        ("the right secret", shop.token(ALICE), 200),
        ("a wrong secret of the right length", shop.token(ALICE, wrong), 401),
        ("a wrong secret of another length", shop.token(BOB, "short"), 401),
    ]:
        digest_calls.clear()
        response = expect(
            shop.call("GET", "/users/me", token=token), status, f"GET /users/me with {what}"
        )
        assert digest_calls, (
            f"GET /users/me with {what} answered {response.status_code} without calling "
            "compare_digest: the secret was compared some other way"
        )
