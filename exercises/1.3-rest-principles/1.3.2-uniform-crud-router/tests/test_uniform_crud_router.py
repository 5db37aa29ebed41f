import re
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from grader.testing import client_for


# A resource the learner has never seen: the factory must work for it unchanged.
class GadgetCreate(BaseModel):
    name: str
    price: float


class GadgetRead(GadgetCreate):
    id: int


PAYLOADS = {
    "books": ({"title": "Dune", "author": "Herbert"}, {"title": "Emma", "author": "Austen"}),
    "movies": ({"title": "Alien", "year": 1979}, {"title": "Heat", "year": 1995}),
    "gadgets": ({"name": "lamp", "price": 19.5}, {"name": "fan", "price": 35.0}),
}
INVALID = {
    "books": {"title": "no author"},
    "movies": {"title": "Alien", "year": "last year"},
    "gadgets": {"name": "lamp", "price": "cheap"},
}


def build_app(crud, *names):
    """A fresh app holding one new gadget router per name: every store starts empty."""
    app = FastAPI()
    for name in names:
        app.include_router(crud.make_crud_router(name, GadgetCreate, GadgetRead))
    return app


class Switchboard:
    """One ASGI entry point, so the whole module shares one TestClient (opening a client costs
    more than a dozen requests); each test plugs in the app it needs."""

    def __init__(self):
        self.app = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:  # the apps under test need no startup: acknowledge the lifespan events
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return


@pytest.fixture(scope="module")
def crud(learner):
    return learner.require("crud", "make_crud_router")


@pytest.fixture(scope="module")
def board():
    switchboard = Switchboard()
    with client_for(switchboard) as client:
        client.plug = lambda app: setattr(switchboard, "app", app) or client
        yield client


@pytest.fixture
def shop(crud, board):
    """crud.app (books and movies): imported once, so tests never assume its stores are empty."""
    assert getattr(crud, "app", None) is not None, "crud.py defines no `app`"
    return board.plug(crud.app)


@pytest.fixture
def gadgets(crud, board):
    """A client for a fresh app with a new, empty gadgets router."""
    return board.plug(build_app(crud, "gadgets"))


@pytest.fixture(scope="module")
def empty_gadgets_app(crud):
    """One app with a new, empty gadgets router for the tests that only read (GET) from it: none
    of them stores anything, so each still finds the store empty; built, and its OpenAPI
    document generated, once per module instead of once per test."""
    return build_app(crud, "gadgets")


@pytest.fixture
def empty_gadgets(empty_gadgets_app, board):
    """A client for the shared app with an empty gadgets router: only GET requests."""
    return board.plug(empty_gadgets_app)


@pytest.fixture
def resource(request):
    """(name, client) for the resource named by an indirect parametrize: the same tests run on
    books and movies (crud.app) and on gadgets (a router the tests build with the factory)."""
    client = request.getfixturevalue("gadgets" if request.param == "gadgets" else "shop")
    return request.param, client


def create(client, name, payload):
    """Setup for later tasks: any 2xx with an integer id counts."""
    response = client.post(f"/{name}", json=payload)
    assert 200 <= response.status_code < 300, (
        f"POST /{name} answered {response.status_code}: {response.text[:200]}"
    )
    item = response.json()
    assert isinstance(item, dict) and isinstance(item.get("id"), int), (
        f"POST /{name} answered {item!r}: expected an object with an integer 'id'"
    )
    return item


def fill(client, name, n):
    return [create(client, name, {"name": f"gadget-{i}", "price": float(i)}) for i in range(n)]


def page(client, query):
    response = client.get(f"/gadgets{query}")
    assert response.status_code == 200, f"GET /gadgets{query} answered {response.status_code}"
    return response


def total(response):
    value = response.headers.get("x-total-count")
    assert value is not None, (
        f"GET {response.request.url.path}?{response.request.url.query.decode()} answered without "
        "an X-Total-Count header"
    )
    return value


# --- Task 1: create and read -----------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("resource", ["books", "movies", "gadgets"], indirect=True)
@pytest.mark.hint(
    "POST answers 201 with the created item (a read_model with the new id) and "
    "Location: /<name>/<id>: status_code=201 on the decorator and response.headers['Location']."
)
def test_create_is_201_with_location(resource):
    name, client = resource
    payload = PAYLOADS[name][0]
    response = client.post(f"/{name}", json=payload)
    assert response.status_code == 201, (
        f"POST /{name} answered {response.status_code}, not 201: {response.text[:200]}"
    )
    item = response.json()
    assert isinstance(item, dict) and isinstance(item.get("id"), int), (
        f"POST /{name} answered {item!r}: expected an object with an integer 'id'"
    )
    assert item == {**payload, "id": item["id"]}, f"POST /{name} answered {item!r}"
    location = response.headers.get("location")
    assert location, f"POST /{name} answered 201 without a Location header"
    assert urlsplit(location).path == f"/{name}/{item['id']}", (
        f"POST /{name} answered Location {location!r}, expected /{name}/{item['id']}"
    )
    fetched = client.get(location)
    assert fetched.status_code == 200, f"GET {location} answered {fetched.status_code}"
    assert fetched.json() == item, f"GET {location} answered {fetched.json()!r}, not {item!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("resource", ["books", "movies", "gadgets"], indirect=True)
@pytest.mark.hint(
    'A missing item answers 404 with {"detail": "<name> <id> not found"}, e.g. '
    '"books 7 not found": raise HTTPException(404, detail=f"{name} {item_id} not found").'
)
def test_missing_item_is_404_with_detail(resource):
    name, client = resource
    response = client.get(f"/{name}/987654")
    assert response.status_code == 404, f"GET /{name}/987654 answered {response.status_code}"
    assert response.json() == {"detail": f"{name} 987654 not found"}, (
        f"GET /{name}/987654 answered {response.json()!r}, "
        f"expected {{'detail': '{name} 987654 not found'}}"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("resource", ["books", "movies", "gadgets"], indirect=True)
@pytest.mark.hint("Use create_model as the body type: FastAPI then validates it (422).")
def test_invalid_body_is_422(resource):
    name, client = resource
    response = client.post(f"/{name}", json=INVALID[name])
    assert response.status_code == 422, (
        f"POST /{name} with {INVALID[name]} answered {response.status_code}, not 422"
    )


@pytest.mark.task(1)
def test_non_integer_id_is_422(empty_gadgets):
    response = empty_gadgets.get("/gadgets/abc")
    assert response.status_code == 422, f"GET /gadgets/abc answered {response.status_code}"


# --- Task 2: listing with limit, offset and X-Total-Count ------------------------------------


@pytest.mark.task(2)
def test_empty_list(empty_gadgets):
    response = page(empty_gadgets, "")
    assert response.json() == [], f"GET /gadgets on a new router answered {response.json()!r}"
    assert total(response) == "0", f"X-Total-Count is {total(response)!r} with nothing stored"


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Slice the items in creation order: items[offset:offset + limit]. X-Total-Count is the "
    "number of items stored, not the length of the page."
)
def test_limit_and_offset_page_the_list(gadgets):
    fill(gadgets, "gadgets", 5)
    response = page(gadgets, "?limit=2&offset=1")
    names = [item.get("name") for item in response.json()]
    assert names == ["gadget-1", "gadget-2"], (
        f"GET /gadgets?limit=2&offset=1 over 5 gadgets answered the names {names}"
    )
    assert total(response) == "5", (
        f"X-Total-Count is {total(response)!r} for 5 stored gadgets (page of 2)"
    )
    tail = page(gadgets, "?offset=4")
    assert [item.get("name") for item in tail.json()] == ["gadget-4"], (
        f"GET /gadgets?offset=4 answered {tail.json()!r}"
    )
    beyond = page(gadgets, "?offset=50")
    assert beyond.json() == [] and total(beyond) == "5", (
        f"GET /gadgets?offset=50 answered {beyond.json()!r} with X-Total-Count {total(beyond)!r}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Without query parameters the list starts at offset 0 and holds 10 items.")
def test_default_page_is_10_items(gadgets):
    fill(gadgets, "gadgets", 12)
    response = page(gadgets, "")
    names = [item.get("name") for item in response.json()]
    assert names == [f"gadget-{i}" for i in range(10)], f"GET /gadgets answered the names {names}"
    assert total(response) == "12", f"X-Total-Count is {total(response)!r} for 12 stored gadgets"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1", "limit=ten"])
@pytest.mark.hint(
    "Declare the bounds: limit: Annotated[int, Query(ge=1, le=100)] = 10 and "
    "offset: Annotated[int, Query(ge=0)] = 0. FastAPI then answers 422 by itself."
)
def test_out_of_range_paging_is_422(empty_gadgets, query):
    response = empty_gadgets.get(f"/gadgets?{query}")
    assert response.status_code == 422, f"GET /gadgets?{query} answered {response.status_code}"


@pytest.mark.task(2)
def test_limit_bounds_are_inclusive(gadgets):
    fill(gadgets, "gadgets", 2)
    for query in ("limit=1", "limit=100", "offset=0"):
        response = gadgets.get(f"/gadgets?{query}")
        assert response.status_code == 200, f"GET /gadgets?{query} answered {response.status_code}"
    assert len(gadgets.get("/gadgets?limit=1").json()) == 1, "limit=1 did not give one item"


# --- Task 3: replace and delete --------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("resource", ["books", "movies", "gadgets"], indirect=True)
def test_put_replaces_the_item(resource):
    name, client = resource
    first, second = PAYLOADS[name]
    item = create(client, name, first)
    url = f"/{name}/{item['id']}"
    response = client.put(url, json=second)
    assert response.status_code == 200, f"PUT {url} answered {response.status_code}"
    assert response.json() == {**second, "id": item["id"]}, (
        f"PUT {url} answered {response.json()!r}"
    )
    assert client.get(url).json() == {**second, "id": item["id"]}, (
        f"after PUT, GET {url} answered {client.get(url).json()!r}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "PUT replaces the item where it is: the list stays in creation order, so update the stored "
    "item in place instead of deleting it and adding it again at the end."
)
def test_put_keeps_the_creation_order(gadgets):
    items = fill(gadgets, "gadgets", 3)
    url = f"/gadgets/{items[0]['id']}"
    replacement = {"name": "gadget-0 v2", "price": 99.0}
    response = gadgets.put(url, json=replacement)
    assert response.status_code == 200, f"PUT {url} answered {response.status_code}"
    listed = page(gadgets, "").json()
    expected = [{**replacement, "id": items[0]["id"]}, *items[1:]]
    assert listed == expected, (
        f"three gadgets were created, then the first one replaced; GET /gadgets answered"
        f" {listed!r}, expected {expected!r} (creation order, the replaced item in its place)"
    )


@pytest.mark.task(3)
@pytest.mark.hint("PUT on a missing id is a 404 with the same detail as GET; it creates nothing.")
def test_put_missing_is_404(gadgets):
    response = gadgets.put("/gadgets/987654", json=PAYLOADS["gadgets"][0])
    assert response.status_code == 404, f"PUT /gadgets/987654 answered {response.status_code}"
    assert response.json() == {"detail": "gadgets 987654 not found"}, (
        f"PUT /gadgets/987654 answered {response.json()!r}"
    )
    assert page(gadgets, "").json() == [], "PUT of a missing id created an item"


@pytest.mark.task(3)
def test_put_invalid_body_is_422(gadgets):
    item = create(gadgets, "gadgets", PAYLOADS["gadgets"][0])
    response = gadgets.put(f"/gadgets/{item['id']}", json={"name": "lamp"})
    assert response.status_code == 422, (
        f"PUT /gadgets/{item['id']} without a price answered {response.status_code}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("resource", ["books", "movies", "gadgets"], indirect=True)
@pytest.mark.hint("DELETE answers 204 with no body (status_code=204, return None); then 404.")
def test_delete_is_204_then_404(resource):
    name, client = resource
    item = create(client, name, PAYLOADS[name][0])
    url = f"/{name}/{item['id']}"
    response = client.delete(url)
    assert response.status_code == 204, f"DELETE {url} answered {response.status_code}, not 204"
    assert response.content == b"", f"DELETE {url} answered a body: {response.text[:100]!r}"
    for method in ("GET", "DELETE"):
        again = client.request(method, url)
        assert again.status_code == 404, (
            f"{method} {url} after the DELETE answered {again.status_code}, not 404"
        )
        assert again.json() == {"detail": f"{name} {item['id']} not found"}, (
            f"{method} {url} after the DELETE answered {again.json()!r}"
        )


# --- Task 4: one store per router ------------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Create the store inside make_crud_router (a local dict the handlers close over), not at "
    "module level: every router needs its own."
)
def test_routers_do_not_share_data(crud, board):
    client = board.plug(build_app(crud, "gadgets", "widgets"))
    gadget = create(client, "gadgets", PAYLOADS["gadgets"][0])
    widgets = client.get("/widgets")
    assert widgets.status_code == 200, f"GET /widgets answered {widgets.status_code}"
    assert widgets.json() == [], (
        f"after creating a gadget, GET /widgets answered {widgets.json()!r}"
    )
    assert widgets.headers.get("x-total-count") == "0", (
        f"widgets X-Total-Count is {widgets.headers.get('x-total-count')!r}, not '0'"
    )
    leaked = client.get(f"/widgets/{gadget['id']}")
    assert leaked.status_code == 404, (
        f"GET /widgets/{gadget['id']} (the gadget's id) answered {leaked.status_code}"
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Every call of make_crud_router makes a new, empty store, even for a name used before: "
    "do not keep stores in a module-level dict keyed by name."
)
def test_each_call_makes_a_new_store(crud, board):
    first, second = build_app(crud, "gadgets"), build_app(crud, "gadgets")
    create(board.plug(first), "gadgets", PAYLOADS["gadgets"][0])
    listed = board.plug(second).get("/gadgets")
    assert listed.status_code == 200, f"GET /gadgets answered {listed.status_code}"
    assert listed.json() == [], f"a second gadgets router already holds {listed.json()!r}"
    kept = board.plug(first).get("/gadgets").json()
    assert len(kept) == 1, f"the first router now holds {kept!r}, not its one gadget"


@pytest.mark.task(4)
def test_ids_are_unique(gadgets):
    ids = [item["id"] for item in fill(gadgets, "gadgets", 3)]
    assert len(set(ids)) == 3, f"three gadgets got the ids {ids}"


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "An id must never be handed out twice, even after a delete: len(store) + 1 gives a new item "
    "the id of one still stored, and the create silently replaces it. Count with a counter "
    "(itertools.count) or take max(ids) + 1."
)
def test_create_after_delete_keeps_ids_unique(gadgets):
    first, second = fill(gadgets, "gadgets", 2)
    deleted = gadgets.delete(f"/gadgets/{first['id']}")
    assert deleted.status_code == 204, (
        f"DELETE /gadgets/{first['id']} answered {deleted.status_code}"
    )
    third = create(gadgets, "gadgets", {"name": "gadget-new", "price": 9.0})
    assert third["id"] != second["id"], (
        f"after deleting gadget {first['id']}, a new gadget got the id {third['id']} of the "
        "gadget still stored"
    )
    kept = gadgets.get(f"/gadgets/{second['id']}")
    assert kept.status_code == 200 and kept.json() == second, (
        f"after a delete and a create, GET /gadgets/{second['id']} answered "
        f"{kept.status_code} {kept.text[:200]}, expected {second!r}"
    )
    names = [item.get("name") for item in page(gadgets, "").json()]
    assert names == ["gadget-1", "gadget-new"], (
        f"after deleting gadget-0 and creating gadget-new, GET /gadgets lists {names}"
    )


# --- Task 5: the documented interface --------------------------------------------------------


def operations(client, name):
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json answered {response.status_code}"
    paths = response.json().get("paths", {})
    ops = {}
    for path, item in paths.items():
        if path == f"/{name}" or path.startswith(f"/{name}/"):
            kind = "collection" if path.rstrip("/") == f"/{name}" else "item"
            for method, operation in item.items():
                ops[(kind, method)] = operation
    return ops


def schema_name(schema):
    ref = (schema or {}).get("$ref", "")
    return re.sub(r"-(Input|Output)$", "", ref.rsplit("/", 1)[-1]) if ref else None


@pytest.mark.task(5)
@pytest.mark.points(2)
@pytest.mark.hint("APIRouter(prefix=f'/{name}', tags=[name]) tags every operation of the router.")
def test_openapi_operations_are_tagged_with_the_name(empty_gadgets):
    ops = operations(empty_gadgets, "gadgets")
    expected = {
        ("collection", "get"),
        ("collection", "post"),
        ("item", "get"),
        ("item", "put"),
        ("item", "delete"),
    }
    assert set(ops) == expected, (
        f"the OpenAPI document has the operations {sorted(ops)} under /gadgets, "
        f"expected {sorted(expected)}"
    )
    tags = {f"{method.upper()} {kind}": op.get("tags") for (kind, method), op in ops.items()}
    assert all(t == ["gadgets"] for t in tags.values()), (
        f"the operations have the tags {tags}; each should be ['gadgets']"
    )


@pytest.mark.task(5)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Declare response_model=read_model (list[read_model] for the list) and the body as "
    "create_model, so /docs shows each resource with its own schemas."
)
def test_openapi_documents_the_models(empty_gadgets):
    ops = operations(empty_gadgets, "gadgets")
    post = ops.get(("collection", "post"), {})
    body = post.get("requestBody", {}).get("content", {}).get("application/json", {})
    assert schema_name(body.get("schema")) == "GadgetCreate", (
        f"POST /gadgets documents the body {body.get('schema')!r}, not GadgetCreate"
    )
    created = post.get("responses", {}).get("201", {}).get("content", {})
    schema = created.get("application/json", {}).get("schema")
    assert schema_name(schema) == "GadgetRead", (
        f"POST /gadgets documents the 201 response {schema!r}, not GadgetRead"
    )
    item = ops.get(("item", "get"), {}).get("responses", {}).get("200", {}).get("content", {})
    schema = item.get("application/json", {}).get("schema")
    assert schema_name(schema) == "GadgetRead", (
        f"GET /gadgets/{{id}} documents the 200 response {schema!r}, not GadgetRead"
    )


@pytest.mark.task(5)
@pytest.mark.hint(
    "crud.app includes make_crud_router('books', BookCreate, BookRead) and "
    "make_crud_router('movies', MovieCreate, MovieRead): two lines, no hand-written routes."
)
def test_app_serves_books_and_movies_tagged(shop):
    for name in ("books", "movies"):
        ops = operations(shop, name)
        assert len(ops) == 5, f"crud.app documents {len(ops)} operations under /{name}, not 5"
        tags = {op.get("tags", [None])[0] if op.get("tags") else None for op in ops.values()}
        assert tags == {name}, f"the /{name} operations of crud.app have the tags {tags}"
