"""Hidden tests for 9.2.1: an ariadne schema mounted at /graphql with book/books queries and an
addBook mutation that commits; unknown ids are null, empty titles are refused, unknown fields
answer 400, introspection stays on.

The tests point the learner's SessionLocal at a private in-memory database and talk to the app
over HTTP only."""

import gc

import pytest
from sqlalchemy import event, inspect, select

from grader import testing

BOOK = "query ($id: ID!) { book(id: $id) { id title author } }"
BOOKS = "query ($author: String) { books(author: $author) { id title author } }"
ADD = "mutation ($input: BookInput!) { addBook(input: $input) { id title author } }"

SHELF = [
    ("Solaris", "Stanislaw Lem"),
    ("A Wizard of Earthsea", "Ursula K. Le Guin"),
    ("The Cyberiad", "Stanislaw Lem"),
    ("Dune", "Frank Herbert"),
]


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
def saved_shelf(learner, module_engine):
    """The module's database holding SHELF, saved once, and the ids in SHELF's order."""
    from sqlalchemy.orm import Session

    main = learner.require("main", *NAMES)
    testing.empty_database(module_engine, main.Base.metadata)
    with Session(module_engine) as session:
        books = [main.Book(title=t, author=a) for t, a in SHELF]
        session.add_all(books)
        session.commit()
        ids = [b.id for b in books]
    saved = testing.SavedDatabase(module_engine)
    yield saved, ids
    saved.close()


@pytest.fixture
def shelf(engine, saved_shelf):
    """Stores SHELF (written back from the saved copy); returns the ids in the same order."""
    saved, ids = saved_shelf
    saved.restore()
    return ids


def post(client, query, variables=None):
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    try:
        body = response.json()
    except ValueError:
        pytest.fail(
            f"POST /graphql answered {response.status_code} with a body that is not JSON: "
            f"{response.text[:120]!r}"
        )
    assert isinstance(body, dict), f"POST /graphql answered {body!r}, not a JSON object"
    return response, body


def data_of(response, body, field):
    assert response.status_code == 200 and not body.get("errors"), (
        f"POST /graphql answered {response.status_code} with errors {body.get('errors')!r}"
    )
    assert isinstance(body.get("data"), dict) and field in body["data"], (
        f"the answer holds no data.{field}: {body!r}"
    )
    return body["data"][field]


def as_rows(books):
    return [(b["id"], b["title"], b["author"]) for b in books]


# Task 1: the schema and the two queries


@pytest.mark.task(1)
def test_books_lists_every_book_in_id_order(client, shelf):
    response, body = post(client, BOOKS)
    books = data_of(response, body, "books")
    expected = [(str(i), t, a) for i, (t, a) in zip(shelf, SHELF, strict=True)]
    assert as_rows(books) == expected, f"books answered {as_rows(books)}, not {expected}"


@pytest.mark.task(1)
def test_books_author_argument_filters_exactly(client, shelf):
    response, body = post(client, BOOKS, {"author": "Stanislaw Lem"})
    books = data_of(response, body, "books")
    expected = [(str(shelf[0]), *SHELF[0]), (str(shelf[2]), *SHELF[2])]
    assert as_rows(books) == expected, (
        f'books(author: "Stanislaw Lem") answered {as_rows(books)}, not {expected}'
    )
    response, body = post(client, BOOKS, {"author": "Stanislaw"})
    books = data_of(response, body, "books")
    assert books == [], f'books(author: "Stanislaw") answered {books}, not [] (exact match)'
    response, body = post(client, BOOKS, {"author": ""})
    books = data_of(response, body, "books")
    assert books == [], f'books(author: "") answered {as_rows(books)}, not []'


@pytest.mark.task(1)
@pytest.mark.hint(
    "A table scan happens to return the books in id order; only `.order_by(Book.id)` in the "
    "query guarantees it."
)
def test_books_are_ordered_by_id_itself(client, engine, shelf):
    with testing.reversed_scans(engine):
        answers = {
            "books": post(client, BOOKS),
            'books(author: "Stanislaw Lem")': post(client, BOOKS, {"author": "Stanislaw Lem"}),
        }
    got = {name: [b["id"] for b in data_of(*answer, "books")] for name, answer in answers.items()}
    expected = {
        "books": [str(i) for i in shelf],
        'books(author: "Stanislaw Lem")': [str(shelf[0]), str(shelf[2])],
    }
    assert got == expected, (
        f"with SQLite free to return rows in another order, the queries answered the ids {got}, "
        f"expected {expected}: order the books by id in the query"
    )


@pytest.mark.task(1)
def test_book_by_id(client, shelf):
    response, body = post(client, BOOK, {"id": str(shelf[1])})
    book = data_of(response, body, "book")
    assert book == {"id": str(shelf[1]), "title": SHELF[1][0], "author": SHELF[1][1]}, (
        f"book(id: {shelf[1]}) answered {book!r}"
    )


UNKNOWN_IDS = {
    "next": None,  # the id after the shelf's last one
    "abc": "abc",
    "2**63": str(2**63),  # one more than the largest INTEGER SQLite stores
    "20-digits": "9" * 20,
    "minus-20-digits": "-" + "9" * 20,
}


@pytest.mark.task(1)
@pytest.mark.parametrize("unknown", ["next", "abc", "2**63", "20-digits", "minus-20-digits"])
@pytest.mark.hint(
    "Any string is an ID. One that is not ASCII digits, or a number above 2**63 - 1 (the "
    "largest SQLite INTEGER: int() of it overflows in the query), names no book: return None "
    "without asking the database."
)
def test_unknown_book_id_is_null_without_errors(client, shelf, unknown):
    unknown = UNKNOWN_IDS[unknown] or str(max(shelf) + 100)
    response, body = post(client, BOOK, {"id": unknown})
    book = data_of(response, body, "book")
    assert book is None, f'book(id: "{unknown}") answered {book!r}, not null'


CLOSED_CASES = {
    "book": (BOOK, lambda shelf: {"id": str(shelf[0])}),
    "books": (BOOKS, lambda shelf: {}),
    "addBook": (ADD, lambda shelf: {"input": {"title": "Ubik", "author": "Philip K. Dick"}}),
}


class SessionWatch:
    """Every Book a session of ``sessions`` (a sessionmaker) loaded or stored, with that session.

    The watch holds both, so a session left open stays open (and observable) until the test
    asks: a closed session has detached its objects, an open one still holds them.
    """

    EVENTS = ("loaded_as_persistent", "pending_to_persistent")

    def __init__(self, sessions) -> None:
        self.sessions = sessions
        self.held: list[tuple[object, object]] = []

    def _hold(self, session, instance) -> None:
        self.held.append((session, instance))

    def __enter__(self) -> "SessionWatch":
        for name in self.EVENTS:
            event.listen(self.sessions, name, self._hold)
        return self

    def __exit__(self, *exc) -> None:
        for name in self.EVENTS:
            event.remove(self.sessions, name, self._hold)

    def open_sessions(self) -> int:
        return len({id(s) for s, book in self.held if inspect(book).session is s})


@pytest.mark.task(1)
@pytest.mark.parametrize("operation", ["book", "books", "addBook"])
@pytest.mark.hint(
    "Open every session with `with SessionLocal() as session:` so it is closed when the "
    "resolver returns, also in addBook: the commit hands the connection back, but only "
    "closing ends the session."
)
def test_sessions_are_closed_when_the_answer_is_sent(main, client, engine, shelf, operation):
    query, variables = CLOSED_CASES[operation]
    moves = []

    def on_checkout(*_args):
        moves.append(1)

    def on_checkin(*_args):
        moves.append(-1)

    event.listen(engine, "checkout", on_checkout)
    event.listen(engine, "checkin", on_checkin)
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()  # a session left open is then not closed behind the test's back
    try:
        with SessionWatch(main.SessionLocal) as watch:
            response, body = post(client, query, variables(shelf))
    finally:
        event.remove(engine, "checkout", on_checkout)
        event.remove(engine, "checkin", on_checkin)
        if collecting:
            gc.enable()
    data_of(response, body, operation)
    assert sum(moves) == 0, (
        f"after {operation} answered, {sum(moves)} database connection(s) were still checked out "
        "of the pool: a session opened with SessionLocal() was never closed"
    )
    assert watch.open_sessions() == 0, (
        f"after {operation} answered, {watch.open_sessions()} session(s) made by SessionLocal() "
        "still held the books they loaded or stored: they were never closed"
    )


# Task 2: the addBook mutation


@pytest.mark.task(2)
def test_add_book_commits_and_answers_the_stored_id(main, client, engine):
    from sqlalchemy.orm import Session

    new = {"title": "The Dispossessed", "author": "Ursula K. Le Guin"}
    response, body = post(client, ADD, {"input": new})
    added = data_of(response, body, "addBook")
    assert isinstance(added, dict), f"addBook answered {added!r}"
    with Session(engine) as session:
        stored = [(str(b.id), b.title, b.author) for b in session.scalars(select(main.Book))]
    assert stored == [(added["id"], new["title"], new["author"])], (
        f"addBook answered {added!r}; the table then held {stored}"
    )
    response, body = post(client, BOOK, {"id": added["id"]})
    book = data_of(response, body, "book")
    assert book == added, f"book(id: {added['id']}) after addBook answered {book!r}"


@pytest.mark.task(2)
def test_two_books_get_two_ids(client, engine):
    first = data_of(
        *post(client, ADD, {"input": {"title": "Kindred", "author": "O. Butler"}}), "addBook"
    )
    second = data_of(
        *post(client, ADD, {"input": {"title": "Dawn", "author": "O. Butler"}}), "addBook"
    )
    assert first["id"] != second["id"], f"two addBook calls both answered id {first['id']!r}"


@pytest.mark.task(2)
@pytest.mark.parametrize("title", ["", "   "])
def test_blank_title_is_refused_and_stores_nothing(main, client, engine, title):
    from sqlalchemy.orm import Session

    response, body = post(client, ADD, {"input": {"title": title, "author": "Nobody"}})
    assert body.get("errors"), (
        f"addBook with title {title!r} answered {response.status_code} {body!r} without errors"
    )
    assert not (body.get("data") or {}).get("addBook"), (
        f"addBook with title {title!r} answered data {body.get('data')!r}"
    )
    with Session(engine) as session:
        stored = list(session.scalars(select(main.Book.title)))
    assert stored == [], f"addBook with title {title!r} stored {stored}"


# Task 3: the endpoint


@pytest.mark.task(3)
def test_unknown_field_is_400_with_errors(client, engine):
    response, body = post(client, "{ books { id isbn } }")
    assert response.status_code == 400, (
        f"a query for the unknown field Book.isbn answered {response.status_code}, not 400"
    )
    assert isinstance(body.get("errors"), list) and body["errors"], (
        f"a query for the unknown field Book.isbn answered {body!r} without errors"
    )


INTROSPECT = """
{
  query: __type(name: "Query") { fields { name args { name type { ...T } } type { ...T } } }
  mutation: __type(name: "Mutation") { fields { name args { name type { ...T } } type { ...T } } }
  book: __type(name: "Book") { fields { name type { ...T } } }
  input: __type(name: "BookInput") { inputFields { name type { ...T } } }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
"""


def spell(t):
    """An introspected type written as SDL: [Book!]!"""
    if t is None:
        return "?"
    if t["kind"] == "NON_NULL":
        return spell(t["ofType"]) + "!"
    if t["kind"] == "LIST":
        return "[" + spell(t["ofType"]) + "]"
    return t["name"]


@pytest.mark.task(3)
def test_introspection_describes_the_schema(client, engine):
    response, body = post(client, INTROSPECT)
    assert response.status_code == 200 and isinstance(body.get("data"), dict), (
        f"an introspection query answered {response.status_code}: {str(body)[:200]}"
    )
    data = body["data"]
    missing = [k for k in ("query", "mutation", "book", "input") if not data.get(k)]
    assert not missing, f"introspection found no type for {missing}: {str(data)[:200]}"

    def fields(kind, key="fields"):
        return {
            f["name"]: (
                spell(f["type"]),
                {a["name"]: spell(a["type"]) for a in f.get("args") or []},
            )
            for f in data[kind][key]
        }

    observed = {
        "Query.book": fields("query").get("book"),
        "Query.books": fields("query").get("books"),
        "Mutation.addBook": fields("mutation").get("addBook"),
        "Book": {name: t for name, (t, _) in fields("book").items()},
        "BookInput": {name: t for name, (t, _) in fields("input", "inputFields").items()},
    }
    expected = {
        "Query.book": ("Book", {"id": "ID!"}),
        "Query.books": ("[Book!]!", {"author": "String"}),
        "Mutation.addBook": ("Book!", {"input": "BookInput!"}),
        "Book": {"id": "ID!", "title": "String!", "author": "String!"},
        "BookInput": {"title": "String!", "author": "String!"},
    }
    wrong = {k: v for k, v in observed.items() if v != expected[k]}
    assert not wrong, "introspection shows " + "; ".join(
        f"{k} as {wrong[k]} (expected {expected[k]})" for k in wrong
    )
