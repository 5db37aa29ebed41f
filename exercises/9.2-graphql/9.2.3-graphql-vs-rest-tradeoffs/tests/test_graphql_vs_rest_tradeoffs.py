"""Hidden tests for 9.2.3: the same Book over REST (ETag, 304, 404) and over GraphQL (null for
an unknown id, queries over GET, mutations POST-only, errors for a malformed query).

ariadne and strawberry are both accepted: status codes are checked as ranges where the two
libraries differ, and error messages are never read."""

import ast
import re

import pytest

from grader import testing

BOOK = "query ($id: ID!) { book(id: $id) { id title author } }"
UPDATE = (
    "mutation ($id: ID!, $title: String!) "
    "{ updateBook(id: $id, title: $title) { id title author } }"
)
ENTITY_TAG = re.compile(r'^(W/)?"[^"]*"$')


NAMES = ("app", "Base", "Book", "SessionLocal")


@pytest.fixture
def main(learner):
    return learner.require("main", *NAMES)


@pytest.fixture(scope="module")
def module_engine(learner):
    """One in-memory database with the learner's tables for the module, the learner's
    SessionLocal pointed at it: a new engine per test would also compile every statement again
    (SQLAlchemy caches compiled SQL per engine)."""
    main = learner.require("main", *NAMES)
    engine = testing.memory_engine(main.Base.metadata)
    with testing.bound_sessionmaker(main.SessionLocal, engine):
        yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def module_client(learner):
    """A client of the learner's app for the module, its requests on one event loop."""
    main = learner.require("main", *NAMES)
    with testing.looped_client(main.app, follow_redirects=True) as client:
        yield client


@pytest.fixture
def engine(main, module_engine):
    """The module's database, emptied for this test (ids from 1 again)."""
    main.SessionLocal.configure(bind=module_engine)
    testing.empty_database(module_engine, main.Base.metadata)
    return module_engine


@pytest.fixture
def client(engine, module_client):
    return module_client


@pytest.fixture(scope="module")
def saved_books(learner, module_engine):
    """The module's database holding the two books, saved once, and their ids."""
    from sqlalchemy.orm import Session

    main = learner.require("main", *NAMES)
    testing.empty_database(module_engine, main.Base.metadata)
    with Session(module_engine) as session:
        stored = [
            main.Book(title="Dune", author="Frank Herbert"),
            main.Book(title="Solaris", author="Stanislaw Lem"),
        ]
        session.add_all(stored)
        session.commit()
        ids = [b.id for b in stored]
    saved = testing.SavedDatabase(module_engine)
    yield saved, ids
    saved.close()


@pytest.fixture
def books(engine, saved_books):
    """Two stored books (written back from the saved copy); returns their ids."""
    saved, ids = saved_books
    saved.restore()
    return ids


def stored_title(main, engine, book_id):
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return session.get(main.Book, book_id).title


def rest(client, book_id, if_none_match=None):
    headers = {"If-None-Match": if_none_match} if if_none_match is not None else {}
    return client.get(f"/books/{book_id}", headers=headers)


def fresh_etag(client, book_id):
    response = rest(client, book_id)
    assert response.status_code == 200, f"GET /books/{book_id} answered {response.status_code}"
    etag = response.headers.get("etag")
    assert etag and ENTITY_TAG.match(etag), (
        f'GET /books/{book_id} answered the ETag header {etag!r}, not a quoted tag like "abc"'
    )
    return etag


def as_json(response, what):
    try:
        body = response.json()
    except ValueError:
        pytest.fail(
            f"{what} answered {response.status_code} with a body that is not JSON: "
            f"{response.text[:120]!r}"
        )
    assert isinstance(body, dict), f"{what} answered {body!r}, not a JSON object"
    return body


def post(client, query, variables=None):
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    return response, as_json(response, "POST /graphql")


def data_of(response, body, field, what="POST /graphql"):
    assert response.status_code == 200 and not body.get("errors"), (
        f"{what} answered {response.status_code} with errors {body.get('errors')!r}"
    )
    assert isinstance(body.get("data"), dict) and field in body["data"], (
        f"{what} answered {body!r}, without data.{field}"
    )
    return body["data"][field]


# Task 1: REST with an ETag


@pytest.mark.task(1)
def test_rest_book_answers_json_with_an_etag(client, books):
    response = rest(client, books[0])
    assert response.status_code == 200, f"GET /books/{books[0]} answered {response.status_code}"
    body = as_json(response, f"GET /books/{books[0]}")
    assert body == {"id": books[0], "title": "Dune", "author": "Frank Herbert"}, (
        f"GET /books/{books[0]} answered {body!r}"
    )
    etag = fresh_etag(client, books[0])
    assert fresh_etag(client, books[0]) == etag, (
        "two GETs of an unchanged book answered two different ETags"
    )
    assert fresh_etag(client, books[1]) != etag, "two different books answered the same ETag"


@pytest.mark.task(1)
def test_unknown_book_is_404(client, books):
    unknown = max(books) + 100
    response = rest(client, unknown)
    assert response.status_code == 404, (
        f"GET /books/{unknown} (unknown) answered {response.status_code}, not 404"
    )
    assert "detail" in as_json(response, f"GET /books/{unknown}"), (
        f"GET /books/{unknown} answered {response.text!r}, not FastAPI's {{'detail': ...}}"
    )


@pytest.mark.task(1)
def test_matching_etag_is_304_with_empty_body(client, books):
    etag = fresh_etag(client, books[0])
    response = rest(client, books[0], etag)
    assert response.status_code == 304, (
        f"GET /books/{books[0]} with If-None-Match: {etag} (its current ETag) answered "
        f"{response.status_code}, not 304"
    )
    assert response.content == b"", f"the 304 answer has the body {response.text[:80]!r}"
    assert response.headers.get("etag") == etag, (
        f"the 304 answer carries the ETag {response.headers.get('etag')!r}, not {etag}"
    )


@pytest.mark.task(1)
def test_etag_among_a_list_is_304(client, books):
    etag = fresh_etag(client, books[0])
    header = f'"not-this-one", {etag}, "nor-this"'
    response = rest(client, books[0], header)
    assert response.status_code == 304, (
        f"If-None-Match: {header} holds the current ETag; GET answered {response.status_code}, "
        "not 304"
    )


@pytest.mark.task(1)
def test_star_matches_an_existing_book(client, books):
    etag = fresh_etag(client, books[0])
    response = rest(client, books[0], "*")
    assert response.status_code == 304, (
        f"If-None-Match: * on an existing book answered {response.status_code}, not 304"
    )
    assert response.content == b"", f"the 304 answer has the body {response.text[:80]!r}"
    assert response.headers.get("etag") == etag, (
        f"the 304 answer to If-None-Match: * carries the ETag "
        f"{response.headers.get('etag')!r}, not {etag}"
    )
    unknown = max(books) + 100
    response = rest(client, unknown, "*")
    assert response.status_code == 404, (
        f"If-None-Match: * on an unknown book answered {response.status_code}, not 404"
    )


def builtin_hash_calls(source):
    """Lines where the module reads the name `hash` without binding it itself."""
    tree = ast.parse(source)
    bound = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    bound |= {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    bound |= {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    bound |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
    if "hash" in bound:
        return []
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id == "hash" and isinstance(node.ctx, ast.Load)
    )


@pytest.mark.task(1)
def test_etag_does_not_use_the_per_process_builtin_hash(learner):
    source = learner.source("main.py")
    try:
        lines = builtin_hash_calls(source)
    except SyntaxError as error:
        pytest.fail(f"main.py does not parse: {error}")
    assert not lines, (
        f"main.py uses the built-in hash() (line {', '.join(map(str, lines))}): its values "
        "are seeded anew in every process, so the ETag would change at every restart"
    )


@pytest.mark.task(1)
def test_other_etag_gets_the_full_answer(client, books):
    response = rest(client, books[0], '"some-other-tag"')
    assert response.status_code == 200, (
        f'If-None-Match: "some-other-tag" answered {response.status_code}, not 200'
    )
    assert as_json(response, f"GET /books/{books[0]}").get("title") == "Dune", (
        f"the answer was {response.text[:100]!r}"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("field", ["title", "author"])
def test_etag_changes_when_the_book_changes(main, client, engine, books, field):
    from sqlalchemy.orm import Session

    old = fresh_etag(client, books[0])
    with Session(engine) as session:
        setattr(session.get(main.Book, books[0]), field, "Changed")
        session.commit()
    response = rest(client, books[0], old)
    assert response.status_code == 200, (
        f"after the book's {field} changed, its old ETag still answered {response.status_code}"
    )
    assert as_json(response, f"GET /books/{books[0]}").get(field) == "Changed", (
        f"after the book's {field} changed, GET answered {response.text[:100]!r}"
    )
    assert response.headers.get("etag") not in (None, old), (
        f"after the book's {field} changed, the ETag is {response.headers.get('etag')!r}"
    )


# Task 2: GraphQL over POST


@pytest.mark.task(2)
def test_graphql_book_over_post(client, books):
    response, body = post(client, BOOK, {"id": str(books[1])})
    book = data_of(response, body, "book")
    assert book == {"id": str(books[1]), "title": "Solaris", "author": "Stanislaw Lem"}, (
        f"book(id: {books[1]}) answered {book!r}"
    )


@pytest.mark.task(2)
def test_graphql_unknown_book_is_200_with_null(client, books):
    unknown = str(max(books) + 100)
    response, body = post(client, BOOK, {"id": unknown})
    book = data_of(response, body, "book")
    assert book is None, f"book(id: {unknown}) answered {book!r}, not null"


@pytest.mark.task(2)
def test_update_over_post_commits_and_changes_the_etag(main, client, engine, books):
    old = fresh_etag(client, books[0])
    response, body = post(client, UPDATE, {"id": str(books[0]), "title": "Dune Messiah"})
    book = data_of(response, body, "updateBook")
    assert book == {"id": str(books[0]), "title": "Dune Messiah", "author": "Frank Herbert"}, (
        f"updateBook answered {book!r}"
    )
    assert stored_title(main, engine, books[0]) == "Dune Messiah", (
        f"after updateBook the stored title is {stored_title(main, engine, books[0])!r}"
    )
    response = rest(client, books[0], old)
    assert response.status_code == 200 and response.headers.get("etag") != old, (
        f"after updateBook, GET /books/{books[0]} with the old ETag answered "
        f"{response.status_code} with ETag {response.headers.get('etag')!r}"
    )
    unknown = str(max(books) + 100)
    response, body = post(client, UPDATE, {"id": unknown, "title": "Nothing"})
    assert data_of(response, body, "updateBook") is None, (
        f"updateBook(id: {unknown}) (unknown) answered {body!r}, not null"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_malformed_query_answers_errors_without_data(client, books, method):
    query = '{ book(id: "1") { title '
    if method == "POST":
        response = client.post("/graphql", json={"query": query})
    else:
        response = client.get("/graphql", params={"query": query})
    assert response.status_code in (200, 400), (
        f"a malformed query over {method} answered {response.status_code}, not 200 or 400"
    )
    body = as_json(response, f"{method} /graphql with a malformed query")
    assert isinstance(body.get("errors"), list) and body["errors"], (
        f"a malformed query over {method} answered {body!r} without errors"
    )
    assert body.get("data") is None, f"a malformed query over {method} answered data {body!r}"


# Task 3: queries over GET, mutations POST-only


@pytest.mark.task(3)
def test_query_over_get_answers_json(client, books):
    query = f'{{ book(id: "{books[0]}") {{ id title }} }}'
    response = client.get("/graphql", params={"query": query})
    what = f"GET /graphql?query={query}"
    body = as_json(response, what)
    book = data_of(response, body, "book", what)
    assert book == {"id": str(books[0]), "title": "Dune"}, f"{what} answered {book!r}"


@pytest.mark.task(3)
def test_get_answers_from_the_current_data(main, client, engine, books):
    from sqlalchemy.orm import Session

    query = f'{{ book(id: "{books[1]}") {{ title }} }}'
    what = f"GET /graphql?query={query}"
    response = client.get("/graphql", params={"query": query})
    assert data_of(response, as_json(response, what), "book", what) == {"title": "Solaris"}
    with Session(engine) as session:
        session.get(main.Book, books[1]).title = "Solaris (2nd ed.)"
        session.commit()
    response = client.get("/graphql", params={"query": query})
    book = data_of(response, as_json(response, what), "book", what)
    assert book == {"title": "Solaris (2nd ed.)"}, (
        f"the title changed between two identical GETs; the second {what} answered {book!r}"
    )


@pytest.mark.task(3)
def test_mutation_over_get_is_refused_and_changes_nothing(main, client, engine, books):
    query = f'mutation {{ updateBook(id: "{books[0]}", title: "Hacked") {{ title }} }}'
    response = client.get("/graphql", params={"query": query})
    assert 400 <= response.status_code < 500, (
        f"GET /graphql with a mutation answered {response.status_code}, not a 4xx"
    )
    assert stored_title(main, engine, books[0]) == "Dune", (
        f"GET /graphql with a mutation changed the title to "
        f"{stored_title(main, engine, books[0])!r}"
    )
