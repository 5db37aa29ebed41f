"""Hidden tests for 4.7.1.

Tasks 1 and 2 run against a bare FastAPI() that includes the learner's router with a plain
include_router(router), so whatever the router needs must be on the router itself; Task 3 runs
against main.app. reset() is called before and after every test. The bare app and the clients
of both apps are made once per module (their requests share one event loop); the store is what
the tests reset.
"""

import re

import pytest
from fastapi import APIRouter, FastAPI

COLLECTION = "/products/"
ITEM = "/products/{id}"  # the parameter's name is free: OpenAPI paths are compared with {id}
PATHS = {COLLECTION: {"get", "post"}, ITEM: {"get", "put", "delete"}}
TEA = {"name": "Tea", "price": 4.5}
MUG = {"name": "Mug", "price": 12.0}


@pytest.fixture
def products(learner):
    module = learner.require("routers.products", "router", "reset")
    module.reset()
    yield module
    module.reset()


@pytest.fixture
def main(learner, products):
    return learner.require("main", "app")


def bare_app(products):
    app = FastAPI()
    app.include_router(products.router)
    return app


@pytest.fixture(scope="module")
def bare_apps():
    """bare_apps(products) → the module's bare FastAPI() that includes the learner's router."""
    apps = {}

    def make(products):
        if id(products.router) not in apps:
            apps[id(products.router)] = (products.router, bare_app(products))
        return apps[id(products.router)][1]

    return make


@pytest.fixture
def bare(products, bare_apps, module_app_client):
    """A client of a bare FastAPI() that includes the learner's router, nothing else."""
    return module_app_client(bare_apps(products))


@pytest.fixture
def client(main, module_app_client):
    return module_app_client(main.app)


def said(response):
    return f"{response.status_code} {response.text[:200]}"


def created(client, payload):
    """Setup for later checks: any 2xx counts, so a wrong status only fails its own test."""
    response = client.post(COLLECTION, json=payload)
    assert 200 <= response.status_code < 300, (
        f"POST {COLLECTION} with {payload} answered {said(response)}"
    )
    return response.json()


def operations(app):
    """{(path, method): operation} of the app's OpenAPI document, every {parameter} as {id}."""
    return {
        (re.sub(r"\{[^}]*\}", "{id}", path), method): operation
        for path, item in app.openapi().get("paths", {}).items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "delete", "patch"}
    }


def router_operations(products, bare_apps):
    ops = operations(bare_apps(products))
    assert ops, (
        "a FastAPI() that includes routers.products.router has no routes at all: declare them "
        "on router (@router.get(...)), not on app"
    )
    return ops


# --- Task 1: the router -------------------------------------------------------------------


@pytest.mark.task(1)
def test_router_is_an_apirouter(products):
    assert isinstance(products.router, APIRouter), (
        f"routers.products.router is a {type(products.router).__name__}, not an APIRouter"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Give the prefix to the router: `APIRouter(prefix="/products", ...)` and declare the paths '
    'relative to it (`"/"` and `"/{product_id}"`). A prefix passed to include_router() in '
    "main.py is lost for every other app that includes the router."
)
def test_router_carries_the_prefix(products, bare_apps):
    prefix = getattr(products.router, "prefix", None)
    assert prefix == "/products", (
        f"routers.products.router has the prefix {prefix!r}, not '/products': give it to "
        'APIRouter(prefix="/products", ...) rather than repeating it in every route'
    )
    paths = sorted({path for path, _ in router_operations(products, bare_apps)})
    assert paths == sorted(PATHS), (
        f"a FastAPI() that includes the router with include_router(router) serves the paths "
        f"{paths}, expected {sorted(PATHS)}"
    )


def mistagged(tags_by_operation):
    """What is wrong with the tags of the operations not tagged exactly ['products'], grouped
    by their tags ("" when every operation is right)."""
    groups = {}
    for name, tags in tags_by_operation.items():
        if tags != ["products"]:
            groups.setdefault(repr(tags), (tags, []))[1].append(name)
    said = []
    for tags, names in groups.values():
        if isinstance(tags, list) and tags.count("products") > 1:
            what = f"the tag 'products' is repeated ({tags})"
        elif not tags:
            what = "no tag at all"
        else:
            what = f"the tags {tags}, not ['products']"
        said.append(f"{what} on {', '.join(names)}")
    return "\n".join(said)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Pass `tags=["products"]` to APIRouter(...): every route of the router gets the tag, in '
    "any app that includes it."
)
def test_router_tags_every_operation(products, bare_apps):
    tags = {
        f"{method.upper()} {path}": op.get("tags")
        for (path, method), op in router_operations(products, bare_apps).items()
    }
    wrong = mistagged(tags)
    assert not wrong, (
        f"with a plain include_router(router), the router's operations are not tagged "
        f"['products'] once:\n{wrong}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Pass `responses={404: {"description": "Not found"}}` to APIRouter(...): it is added to '
    "the documented responses of every route of the router."
)
def test_router_documents_404_on_every_operation(products, bare_apps):
    documented = {
        f"{method.upper()} {path}": op.get("responses", {}).get("404")
        for (path, method), op in router_operations(products, bare_apps).items()
    }
    wrong = {
        name: entry
        for name, entry in documented.items()
        if not isinstance(entry, dict) or entry.get("description") != "Not found"
    }
    assert not wrong, (
        "with a plain include_router(router), these operations don't document "
        f"404 {{'description': 'Not found'}}: {wrong}"
    )


# --- Task 2: the CRUD routes --------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_create_answers_201_with_the_product(bare):
    response = bare.post(COLLECTION, json=TEA)
    assert response.status_code == 201, f"POST {COLLECTION} answered {said(response)}, not 201"
    assert response.json() == {"id": 1, **TEA}, (
        f"the first POST {COLLECTION} after reset() answered {response.json()}, expected "
        f"{ {'id': 1, **TEA} }"
    )


@pytest.mark.task(2)
def test_list_is_empty_after_reset(bare):
    response = bare.get(COLLECTION)
    assert response.status_code == 200 and response.json() == [], (
        f"GET {COLLECTION} after reset() answered {said(response)}, expected 200 []"
    )


@pytest.mark.task(2)
def test_list_holds_every_product_in_id_order(bare):
    for payload in (TEA, MUG, {"name": "Pot", "price": 30.0}):
        created(bare, payload)
    green = {"name": "Green tea", "price": 5.0}
    replaced = bare.put(f"{COLLECTION}1", json=green)
    assert 200 <= replaced.status_code < 300, (
        f"PUT {COLLECTION}1 with {green} answered {said(replaced)}"
    )
    response = bare.get(COLLECTION)
    assert response.status_code == 200, f"GET {COLLECTION} answered {said(response)}"
    assert response.json() == [
        {"id": 1, **green},
        {"id": 2, **MUG},
        {"id": 3, "name": "Pot", "price": 30.0},
    ], (
        f"after creating Tea, Mug and Pot, then replacing product 1 with PUT, GET {COLLECTION} "
        f"answered {response.json()}, expected them in the order of their ids"
    )


@pytest.mark.task(2)
def test_read_one_product(bare):
    created(bare, TEA)
    mug = created(bare, MUG)
    response = bare.get(f"/products/{mug.get('id')}")
    assert response.status_code == 200 and response.json() == mug, (
        f"GET /products/{mug.get('id')} answered {said(response)}, expected 200 {mug}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    ("method", "body"),
    [("get", None), ("put", MUG), ("delete", None)],
    ids=["get", "put", "delete"],
)
def test_unknown_id_is_404(bare, method, body):
    created(bare, TEA)
    response = bare.request(method.upper(), "/products/99", json=body)
    assert response.status_code == 404, (
        f"{method.upper()} /products/99 (no such product) answered {said(response)}, not 404"
    )
    assert response.json() == {"detail": "Product not found"}, (
        f"{method.upper()} /products/99 answered the body {response.json()}"
    )


@pytest.mark.task(2)
def test_put_on_unknown_id_creates_nothing(bare):
    created(bare, TEA)
    bare.put("/products/99", json=MUG)
    listed = bare.get(COLLECTION).json()
    assert listed == [{"id": 1, **TEA}], (
        f"after PUT /products/99, GET {COLLECTION} answers {listed}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_put_replaces_name_and_price(bare):
    tea = created(bare, TEA)
    created(bare, MUG)
    response = bare.put(f"/products/{tea['id']}", json={"name": "Black tea", "price": 5.25})
    expected = {"id": tea["id"], "name": "Black tea", "price": 5.25}
    assert response.status_code == 200 and response.json() == expected, (
        f"PUT /products/{tea['id']} answered {said(response)}, expected 200 {expected}"
    )
    stored = bare.get(f"/products/{tea['id']}").json()
    assert stored == expected, f"after the PUT, GET /products/{tea['id']} answers {stored}"
    assert len(bare.get(COLLECTION).json()) == 2, "a PUT changed the number of products"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_delete_answers_204_and_removes(bare):
    tea = created(bare, TEA)
    mug = created(bare, MUG)
    response = bare.delete(f"/products/{tea['id']}")
    assert response.status_code == 204, (
        f"DELETE /products/{tea['id']} answered {said(response)}, not 204"
    )
    assert response.content == b"", f"the 204 of DELETE carries a body: {response.content[:100]!r}"
    gone = bare.get(f"/products/{tea['id']}")
    assert gone.status_code == 404, f"GET of a deleted product answered {said(gone)}"
    assert bare.get(COLLECTION).json() == [mug], (
        f"after deleting Tea, GET {COLLECTION} answers {bare.get(COLLECTION).json()}"
    )
    again = bare.delete(f"/products/{tea['id']}")
    assert again.status_code == 404, f"a second DELETE of the same product answered {said(again)}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep a counter of the last id given (or itertools.count(1)) instead of deriving the id "
    "from the store's size or its largest key: after a delete those give an old id again."
)
@pytest.mark.parametrize("deleted", ["last", "first"])
def test_ids_are_never_given_again(bare, deleted):
    first = created(bare, TEA)
    second = created(bare, MUG)
    victim = second if deleted == "last" else first
    bare.delete(f"/products/{victim['id']}")
    third = created(bare, {"name": "Pot", "price": 30.0})
    assert third.get("id") == 3, (
        f"after creating ids {first.get('id')} and {second.get('id')} and deleting "
        f"{victim.get('id')}, the next product got the id {third.get('id')!r}, expected 3"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    "payload",
    [
        {"price": 1.0},
        {"name": "Tea"},
        {"name": "", "price": 1.0},
        {"name": "T" * 101, "price": 1.0},
        {"name": "Tea", "price": 0},
        {"name": "Tea", "price": -2.5},
        {"name": "Tea", "price": "cheap"},
    ],
    ids=["no-name", "no-price", "empty-name", "long-name", "zero-price", "negative", "text-price"],
)
@pytest.mark.hint(
    "Declare the body as a Pydantic model: `name: str = Field(min_length=1, max_length=100)` "
    "and `price: float = Field(gt=0)`; FastAPI answers 422 before your handler runs."
)
def test_invalid_body_is_422_and_changes_nothing(bare, payload):
    tea = created(bare, TEA)
    for method, path in (("POST", COLLECTION), ("PUT", f"/products/{tea['id']}")):
        response = bare.request(method, path, json=payload)
        assert response.status_code == 422, (
            f"{method} {path} with {payload} answered {said(response)}, not 422"
        )
    listed = bare.get(COLLECTION).json()
    assert listed == [tea], f"after the refused requests, GET {COLLECTION} answers {listed}"


@pytest.mark.task(2)
@pytest.mark.parametrize("length", [1, 100], ids=["one-char", "hundred-chars"])
@pytest.mark.hint(
    "The name's bounds are inclusive: `Field(min_length=1, max_length=100)` accepts a name of "
    "exactly 1 and of exactly 100 characters."
)
def test_name_at_its_length_bounds_is_accepted(bare, length):
    name = "T" * length
    response = bare.post(COLLECTION, json={"name": name, "price": 1.0})
    assert response.status_code == 201, (
        f"POST {COLLECTION} with a name of {length} characters answered {said(response)}, not 201"
    )
    product_id = response.json().get("id")
    replaced = bare.put(f"/products/{product_id}", json={"name": name, "price": 2.0})
    assert replaced.status_code == 200, (
        f"PUT /products/{product_id} with a name of {length} characters answered "
        f"{said(replaced)}, not 200"
    )


@pytest.mark.task(2)
def test_non_integer_id_is_422(bare):
    response = bare.get("/products/abc")
    assert response.status_code == 422, f"GET /products/abc answered {said(response)}, not 422"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "reset() must clear the store and put the id counter back, so that the next product gets "
    "id 1 (a `global` statement is needed to rebind a module-level counter)."
)
def test_reset_empties_and_restarts_ids(products, bare):
    created(bare, TEA)
    created(bare, MUG)
    products.reset()
    assert bare.get(COLLECTION).json() == [], (
        f"after reset(), GET {COLLECTION} answers {bare.get(COLLECTION).json()}"
    )
    again = created(bare, MUG)
    assert again.get("id") == 1, f"after reset(), the first product got the id {again.get('id')!r}"


# --- Task 3: main.app ---------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_main_app_serves_the_routes(client):
    response = client.post(COLLECTION, json=TEA)
    assert response.status_code == 201, f"main.app: POST {COLLECTION} answered {said(response)}"
    listed = client.get(COLLECTION)
    assert listed.status_code == 200 and listed.json() == [{"id": 1, **TEA}], (
        f"main.app: GET {COLLECTION} answered {said(listed)}"
    )
    assert client.delete("/products/1").status_code == 204, "main.app: DELETE /products/1 failed"
    assert client.get("/products/1").status_code == 404, "main.app still serves a deleted product"


@pytest.mark.task(3)
def test_main_app_and_router_share_the_store(client, bare):
    created(client, TEA)
    seen = bare.get(COLLECTION).json()
    assert seen == [{"id": 1, **TEA}], (
        f"after POST through main.app, an app including routers.products.router lists {seen}: "
        "main.app should include that router"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "main.py only does `app.include_router(products.router)`: the router already has its "
    "prefix and tag (a prefix given again gives /products/products/...), and every route "
    "lives on the router."
)
def test_main_app_serves_exactly_the_router(main):
    found = {}
    for path, method in operations(main.app):
        found.setdefault(path, set()).add(method)
    assert found == PATHS, (
        f"main.app's OpenAPI lists {sorted((p, sorted(m)) for p, m in found.items())}, "
        f"expected {sorted((p, sorted(m)) for p, m in PATHS.items())}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    'The router carries the tag already; `include_router(router, tags=["products"])` adds it '
    "a second time."
)
def test_main_app_tags_each_operation_once(main):
    tags = {f"{m.upper()} {p}": op.get("tags") for (p, m), op in operations(main.app).items()}
    assert tags, "main.app's OpenAPI lists no operations at all"
    wrong = mistagged(tags)
    assert not wrong, f"in main.app, the operations are not tagged ['products'] once:\n{wrong}"
