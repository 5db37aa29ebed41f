import inspect
import os
import re

import pytest
from fastapi.routing import iter_route_contexts


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "__version__")


@pytest.fixture
def client(main, app_client):
    return app_client(main.app)


@pytest.fixture
def schema(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json answered {response.status_code}"
    return response.json()


def operation(schema, path, method):
    found = schema.get("paths", {}).get(path, {}).get(method.lower())
    assert found is not None, f"{method} {path} is missing from /openapi.json"
    return found


def endpoint(app, path, method):
    """The handler of a route, also when it sits on an included APIRouter."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if context.path == path and method in (getattr(route, "methods", None) or ()):
            return route.endpoint
    pytest.fail(f"app has no {method} {path} route")


@pytest.mark.task(1)
def test_title(schema):
    title = schema.get("info", {}).get("title")
    assert title == "Bookstore API", f"info.title is {title!r}"


@pytest.mark.task(1)
def test_version_is_dunder_version(main, schema):
    assert isinstance(main.__version__, str), f"__version__ is {main.__version__!r}"
    version = schema.get("info", {}).get("version")
    assert version == main.__version__, (
        f"info.version is {version!r}, __version__ is {main.__version__!r}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_version_follows_dunder_version(learner):
    path = learner.path("main.py")
    original = path.read_bytes()
    text = original.decode("utf-8")
    pattern = r"""^__version__\s*=\s*["']1\.4\.0["']"""
    if not re.search(pattern, text, flags=re.M):
        pytest.fail('main.py has no line __version__ = "1.4.0"')
    try:
        path.write_text(re.sub(pattern, '__version__ = "7.7.7"', text, flags=re.M), "utf-8")
        module = learner.require("main", "app", fresh=True)
        version = module.app.openapi().get("info", {}).get("version")
    finally:
        path.write_bytes(original)
        learner.fresh("main")
    assert version == "7.7.7", (
        f'with __version__ = "7.7.7", info.version is {version!r}: pass __version__ itself'
    )


@pytest.mark.task(1)
def test_description_is_the_file(learner, schema):
    text = learner.source("DESCRIPTION.md").strip()
    assert text, "DESCRIPTION.md is empty"
    description = schema.get("info", {}).get("description") or ""
    assert description.strip() == text, (
        f"info.description is {description[:80]!r}..., not the text of DESCRIPTION.md"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_description_is_read_from_the_file_next_to_main(learner, tmp_path, monkeypatch):
    path = learner.path("DESCRIPTION.md")
    original = path.read_bytes()
    marker = "Rewritten by the tests: *marker 9.4.2*."
    home = os.getcwd()
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    try:
        path.write_text(marker + "\n", encoding="utf-8")
        monkeypatch.chdir(empty)
        try:
            module = learner.require("main", "app", fresh=True)
        except Exception as exc:
            pytest.fail(f"importing main.py from another current directory failed: {exc}")
        description = module.app.openapi().get("info", {}).get("description") or ""
    finally:
        path.write_bytes(original)
        os.chdir(home)
        learner.fresh("main")
    assert description.strip() == marker, (
        f"after DESCRIPTION.md changed, info.description is {description[:80]!r}"
    )


@pytest.mark.task(1)
def test_docs_page_title(client):
    response = client.get("/docs")
    assert response.status_code == 200, f"GET /docs answered {response.status_code}"
    start, end = response.text.find("<title>"), response.text.find("</title>")
    assert start != -1 and end > start, "the /docs page has no <title>"
    title = response.text[start + len("<title>") : end]
    assert "Bookstore API" in title, f"the /docs page's <title> is {title!r}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize(("path", "method"), [("/books", "GET"), ("/books/{book_id}", "GET")])
def test_description_is_the_docstring(main, schema, path, method):
    doc = endpoint(main.app, path, method).__doc__
    assert doc and doc.strip(), f"the handler of {method} {path} has no docstring"
    expected = inspect.cleandoc(doc).split("\f")[0].strip()
    description = operation(schema, path, method).get("description")
    assert description == expected, (
        f"{method} {path}'s description is {description!r}, its docstring gives {expected!r}"
    )


@pytest.mark.task(2)
def test_list_books_summary(schema):
    summary = operation(schema, "/books", "GET").get("summary")
    assert summary == "List every book", f"GET /books has the summary {summary!r}"


@pytest.mark.task(2)
def test_routes_still_answer(client):
    listed = client.get("/books")
    assert listed.status_code == 200, f"GET /books answered {listed.status_code}"
    titles = [book.get("title") for book in listed.json()]
    assert titles == ["Dune", "Emma"], f"GET /books listed {titles!r}"
    one = client.get("/books/1")
    assert one.status_code == 200, f"GET /books/1 answered {one.status_code}"
    assert one.json() == {"id": 1, "title": "Dune", "author": "Frank Herbert"}, (
        f"GET /books/1 answered {one.json()!r}"
    )
    missing = client.get("/books/99")
    assert missing.status_code == 404, f"GET /books/99 answered {missing.status_code}"
