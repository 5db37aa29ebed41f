"""Hidden tests for 1.2.1: the same data over REST and over GraphQL, through HTTP only.

Nothing here depends on the GraphQL library: any endpoint that speaks GraphQL over HTTP
(POST /graphql with {"query", "variables"}, an answer with "data" and/or "errors") passes.
`CALLS` is read before and after a request; only the difference is checked.
"""

from collections import Counter

import pytest

from grader.testing import client_for

URSULA = {
    "id": 1,
    "name": "Ursula K. Le Guin",
    "bio": "Wrote Earthsea and the Hainish Cycle.",
    "email": "ursula@example.com",
}
OCTAVIA = {
    "id": 2,
    "name": "Octavia E. Butler",
    "bio": "Wrote Kindred and the Parable novels.",
    "email": "octavia@example.com",
}
URSULA_BOOKS = [
    {"id": 10, "title": "A Wizard of Earthsea", "year": 1968},
    {"id": 11, "title": "The Left Hand of Darkness", "year": 1969},
    {"id": 12, "title": "The Dispossessed", "year": 1974},
]


@pytest.fixture(scope="module")
def main(learner):
    return learner.require("main", "app", "CALLS", "get_author", "books_by_author")


@pytest.fixture(scope="module")
def client(main):
    test_client = client_for(main.app)
    yield test_client
    test_client.close()


def rest(client, path, expected=200):
    response = client.get(path)
    assert response.status_code == expected, (
        f"GET {path} answered {response.status_code}, expected {expected}: {response.text[:200]}"
    )
    return response.json() if expected == 200 else response


def graphql(client, query, variables=None, ok=True):
    payload = {"query": query} if variables is None else {"query": query, "variables": variables}
    response = client.post("/graphql", json=payload)
    if ok:
        assert response.status_code == 200, (
            f"POST /graphql answered {response.status_code} to {query!r}: {response.text[:300]}"
        )
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(
            f"POST /graphql answered {response.status_code} with a non-JSON body: "
            f"{response.text[:200]!r}"
        ) from None
    assert isinstance(body, dict), f"POST /graphql answered {body!r}, not a JSON object"
    if ok:
        assert not body.get("errors"), f"{query!r} answered errors: {body['errors']}"
        assert isinstance(body.get("data"), dict), f"{query!r} answered no data object: {body}"
    return body


def cost_of(main, do):
    """What `do()` cost, as the change of the data layer's CALLS counter."""
    calls = getattr(main, "CALLS", None)
    assert isinstance(calls, Counter), "main.py must keep the starter's `CALLS = Counter()`"
    before = Counter(calls)
    result = do()
    spent = Counter(calls)
    spent.subtract(before)
    return result, {name: spent[name] for name in ("get_author", "books_by_author")}


def books_seen(books, what):
    assert isinstance(books, list), f"{what} is {books!r}, not a list of books"
    return [{k: book.get(k) for k in ("id", "title", "year")} for book in books]


# --- Task 1: REST --------------------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("author_id", [1, 2])
def test_rest_author_has_its_fields(client, author_id):
    body = rest(client, f"/authors/{author_id}")
    expected = (URSULA, OCTAVIA)[author_id - 1]
    assert isinstance(body, dict), f"GET /authors/{author_id} answered {body!r}, not an object"
    assert {k: body.get(k) for k in expected} == expected, (
        f"GET /authors/{author_id} answered {body}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "In REST, the author resource is the author: its books are another resource, "
    "GET /authors/{id}/books. Embedding them would hide what the comparison is about."
)
def test_rest_author_does_not_embed_books(main, client):
    body, spent = cost_of(main, lambda: rest(client, "/authors/1"))
    assert "books" not in body, f"GET /authors/1 embeds the books: {body}"
    assert spent["books_by_author"] == 0, (
        f"GET /authors/1 called books_by_author {spent['books_by_author']} time(s): "
        "the author resource should not fetch the books"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_rest_books_of_an_author(client):
    body = rest(client, "/authors/1/books")
    assert books_seen(body, "GET /authors/1/books") == URSULA_BOOKS, (
        f"GET /authors/1/books answered {body}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("An author who exists but has written nothing yet has an empty list of books.")
def test_rest_author_without_books_is_an_empty_list(client):
    body = rest(client, "/authors/3/books")
    assert body == [], f"GET /authors/3/books answered {body!r}, expected []"


@pytest.mark.task(1)
@pytest.mark.hint(
    "An unknown author answers 404 on both URLs: raise HTTPException(status_code=404). "
    "An empty list would claim that author 999 exists and has no books."
)
@pytest.mark.parametrize("path", ["/authors/999", "/authors/999/books"])
def test_rest_unknown_author_is_404(client, path):
    rest(client, path.replace("999", "1"))  # the route exists ...
    rest(client, path, expected=404)  # ... and knows which authors do


@pytest.mark.task(1)
@pytest.mark.parametrize("path", ["/authors/abc", "/authors/abc/books"])
def test_rest_author_id_must_be_an_integer(client, path):
    rest(client, path, expected=422)


# --- Task 2: GraphQL -----------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "One POST /graphql with `{ author(id: 1) { name books { title } } }` must answer "
    '{"data": {"author": {"name": ..., "books": [{"title": ...}, ...]}}}.'
)
def test_graphql_gives_in_one_request_what_rest_needs_two_for(client):
    author = rest(client, "/authors/1")
    books = rest(client, "/authors/1/books")
    body = graphql(client, "{ author(id: 1) { name books { title } } }")
    expected = {"name": author["name"], "books": [{"title": b["title"]} for b in books]}
    assert body["data"].get("author") == expected, (
        f"the GraphQL query for Ursula's name and book titles answered {body['data']}, "
        f"while the two REST requests gave {expected}"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "GraphQL answers exactly the fields the query selects, nothing more: ask for name, get only "
    "name. A GraphQL library does this for you; a hand-made endpoint must read the selection."
)
@pytest.mark.parametrize(
    "fields", ["name", "email", "name bio", "books { title }", "email books { year }"]
)
def test_graphql_answers_only_the_selected_fields(client, fields):
    query = f"{{ author(id: 2) {{ {fields} }} }}"
    author = graphql(client, query)["data"].get("author")
    expected = {
        "name": {"name": OCTAVIA["name"]},
        "email": {"email": OCTAVIA["email"]},
        "name bio": {"name": OCTAVIA["name"], "bio": OCTAVIA["bio"]},
        "books { title }": {"books": [{"title": "Kindred"}, {"title": "Parable of the Sower"}]},
        "email books { year }": {
            "email": OCTAVIA["email"],
            "books": [{"year": 1979}, {"year": 1993}],
        },
    }[fields]
    assert author == expected, f"{query!r} answered the author {author!r}, expected {expected!r}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "ID values travel as strings in GraphQL answers (`id: ID!`), even when you store ints."
)
def test_graphql_every_field_with_variables(client):
    query = (
        "query AuthorById($id: ID!) "
        "{ author(id: $id) { id name bio email books { id title year } } }"
    )
    author = graphql(client, query, {"id": "1"})["data"].get("author")
    assert isinstance(author, dict), f"author(id: $id) with id '1' answered {author!r}"
    assert set(author) == {"id", "name", "bio", "email", "books"}, (
        f"the query selected id, name, bio, email and books; the answer has {sorted(author)}"
    )
    assert str(author["id"]) == "1", f"the author's id is {author['id']!r}, expected '1'"
    assert {k: author[k] for k in ("name", "bio", "email")} == {
        k: URSULA[k] for k in ("name", "bio", "email")
    }, f"the author answered {author}"
    books = [{**b, "id": int(b["id"])} for b in author["books"]]
    assert books == URSULA_BOOKS, f"the author's books are {author['books']}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "The schema types every id as `ID!`, and GraphQL answers an ID as a JSON string: declare "
    "the fields as strawberry.ID (not int, which the schema would publish as `Int!`)."
)
def test_graphql_ids_are_strings(client):
    query = "{ author(id: 2) { id books { id } } }"
    author = graphql(client, query)["data"].get("author")
    assert isinstance(author, dict), f"{query!r} answered the author {author!r}"
    ids = [author.get("id")] + [book.get("id") for book in author.get("books") or []]
    assert ids == ["2", "20", "21"], (
        f"{query!r} answered the ids {ids!r}: expected the strings ['2', '20', '21'] (type ID)"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Aliases let one request fetch the same field twice with different arguments.")
def test_graphql_two_authors_in_one_request(client):
    query = "{ first: author(id: 1) { name } second: author(id: 2) { name } }"
    data = graphql(client, query)["data"]
    assert data == {"first": {"name": URSULA["name"]}, "second": {"name": OCTAVIA["name"]}}, (
        f"{query!r} answered {data}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Declare the field nullable (`author(id: ID!): Author`, i.e. `-> Author | None`) and return "
    "None for an unknown id: not found is an ordinary null answer, not an error."
)
def test_graphql_unknown_author_is_null(client):
    body = graphql(client, '{ author(id: "999") { name } }', ok=False)
    assert body.get("data") == {"author": None}, (
        f"the query for author 999 answered {body}, expected {{'data': {{'author': None}}}}"
    )
    assert not body.get("errors"), f"an unknown author is not an error, but the answer has {body}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A query that selects a field the schema does not have is invalid: the answer carries a "
    'non-empty "errors" list and no data (status 200 or 400).'
)
@pytest.mark.parametrize(
    "query",
    [
        "{ author(id: 1) { name salary } }",
        "{ author(id: 1) { name books { isbn } } }",
        "{ authors { name } }",
        "{ author(id: 1) { name ",
    ],
)
def test_graphql_invalid_query_answers_errors(client, query):
    response = client.post("/graphql", json={"query": query})
    assert response.status_code in (200, 400), (
        f"the invalid query {query!r} answered {response.status_code}, expected 200 or 400"
    )
    body = response.json()
    assert isinstance(body, dict), f"{query!r} answered {body!r}, not a JSON object"
    response_errors = body.get("errors")
    assert isinstance(response_errors, list) and response_errors, (
        f"{query!r} answered {body}: expected a non-empty errors list"
    )
    assert body.get("data") is None, f"{query!r} is invalid but answered data {body.get('data')}"


# --- Task 3: what each request costs -------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Fetch the books in a resolver of the `books` field (a method on Author), not when you build "
    "the author: a resolver runs only when the query selects its field."
)
@pytest.mark.parametrize("fields", ["name", "name bio email", "id"])
def test_graphql_without_books_does_not_fetch_books(main, client, fields):
    query = f"{{ author(id: 1) {{ {fields} }} }}"
    _, spent = cost_of(main, lambda: graphql(client, query))
    assert spent == {"get_author": 1, "books_by_author": 0}, (
        f"{query!r} made the data calls {spent}: without books in the selection, "
        "expected get_author once and books_by_author never"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_graphql_author_and_books_cost_one_call_each(main, client):
    query = "{ author(id: 2) { name books { title year } } }"
    _, spent = cost_of(main, lambda: graphql(client, query))
    assert spent == {"get_author": 1, "books_by_author": 1}, (
        f"{query!r} made the data calls {spent}, expected one get_author and one books_by_author"
    )


@pytest.mark.task(3)
@pytest.mark.hint("Unknown author: get_author answers None, so there are no books to fetch.")
def test_graphql_unknown_author_fetches_no_books(main, client):
    query = '{ author(id: "999") { name books { title } } }'
    body, spent = cost_of(main, lambda: graphql(client, query, ok=False))
    assert body.get("data") == {"author": None}, f"{query!r} answered {body}"
    assert spent["books_by_author"] == 0, (
        f"{query!r} called books_by_author {spent['books_by_author']} time(s) for an author "
        "that does not exist"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Go through get_author and books_by_author in every route: they stand for the database, "
    "and CALLS is how the tests see what a request costs."
)
def test_rest_requests_go_through_the_data_layer(main, client):
    _, author_cost = cost_of(main, lambda: rest(client, "/authors/2"))
    _, books_cost = cost_of(main, lambda: rest(client, "/authors/2/books"))
    assert author_cost == {"get_author": 1, "books_by_author": 0}, (
        f"GET /authors/2 made the data calls {author_cost}, expected get_author once"
    )
    assert books_cost["books_by_author"] == 1, (
        f"GET /authors/2/books made the data calls {books_cost}, expected books_by_author once"
    )
