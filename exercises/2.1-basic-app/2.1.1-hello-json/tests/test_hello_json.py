import anyio
import httpx
import pytest


@pytest.fixture
def client(learner, app_client):
    return app_client(learner.require("main", "app").app)


@pytest.mark.task(1)
@pytest.mark.hint("Return a dict from the handler of GET /; FastAPI encodes it as JSON.")
def test_root_returns_json_object(client):
    response = client.get("/")
    assert response.status_code == 200, f"GET / answered {response.status_code}"
    assert response.headers.get("content-type", "").startswith("application/json"), (
        f"GET / answered content-type {response.headers['content-type']!r}, not JSON"
    )
    assert response.json() == {"message": "Hello, World"}, f"GET / answered {response.text[:200]}"


@pytest.mark.task(1)
def test_app_is_a_fastapi_instance(learner):
    from fastapi import FastAPI

    app = learner.require("main", "app").app
    assert isinstance(app, FastAPI), f"main.app is a {type(app).__name__}, not a FastAPI() instance"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("name", ["Ada", "Grace", "world"])
def test_hello_greets_by_name(client, name):
    response = client.get(f"/hello/{name}")
    assert response.status_code == 200, f"GET /hello/{name} answered {response.status_code}"
    assert response.json() == {"message": f"Hello, {name}"}, (
        f"GET /hello/{name} answered {response.text[:200]}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Path parameters arrive already decoded: %C3%AB is the letter ë.")
def test_hello_decodes_unicode_names(client):
    response = client.get("/hello/Zo%C3%AB")
    assert response.status_code == 200, f"GET /hello/Zo%C3%AB answered {response.status_code}"
    assert response.json() == {"message": "Hello, Zoë"}, (
        f"GET /hello/Zo%C3%AB answered {response.text[:200]}"
    )


def served(app, path):
    """GET `path` as a server such as Uvicorn delivers it: the path percent-decoded once.
    (TestClient decodes the path a second time, so /hello/100%2541 would reach the app as
    /hello/100A instead of /hello/100%41; httpx's ASGITransport decodes it once.)"""

    async def get():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get(path)

    return anyio.run(get)


@pytest.mark.task(2)
@pytest.mark.hint(
    "Use the path parameter as FastAPI hands it over: it is already decoded. Unquoting it "
    "again turns a literal %41 into A, and unquote_plus turns a literal + into a space."
)
def test_hello_decodes_the_name_only_once(learner):
    app = learner.require("main", "app").app
    for path, name in [
        ("/hello/100%2541", "100%41"),
        ("/hello/Zo%25C3%25AB", "Zo%C3%AB"),
        ("/hello/a+b", "a+b"),
        ("/hello/a%2Bb", "a+b"),
    ]:
        response = served(app, path)
        assert response.status_code == 200, f"GET {path} answered {response.status_code}"
        assert response.json() == {"message": f"Hello, {name}"}, (
            f"GET {path} answered {response.text[:200]}, expected the name {name!r}: "
            "the segment decoded once"
        )


@pytest.mark.task(2)
@pytest.mark.hint("/hello/ has an empty name segment: no route should match it.")
def test_hello_without_name_is_not_found(client):
    response = client.get("/hello/")
    assert response.status_code == 404, f"GET /hello/ answered {response.status_code}, not 404"
