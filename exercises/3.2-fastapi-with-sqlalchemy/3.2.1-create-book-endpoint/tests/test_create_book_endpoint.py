import pytest
from fastapi import HTTPException
from sqlalchemy import event, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

DUNE = {"title": "Dune", "author": "Frank Herbert"}
EMMA = {"title": "Emma", "author": "Jane Austen"}


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "get_db", "Base", "Book")


@pytest.fixture
def db(main, db_client):
    """The learner's app, with get_db overridden to hand out sessions on a private database."""
    return db_client(main)


@pytest.fixture
def engine(db):
    return db.engine


@pytest.fixture
def client(db):
    return db.client


def stored_books(main, engine):
    """(id, title, author) of every row, read through a fresh session."""
    with Session(engine) as session:
        books = session.scalars(select(main.Book).order_by(main.Book.id)).all()
        return [(book.id, book.title, book.author) for book in books]


def add_books(main, engine, *pairs):
    with Session(engine) as session:
        session.add_all(main.Book(title=title, author=author) for title, author in pairs)
        session.commit()


def post_book(client, payload):
    return client.post("/books", json=payload)


def created(client, payload):
    """Setup for later tasks: any 2xx counts, so a wrong status only fails Task 2's tests."""
    response = post_book(client, payload)
    assert 200 <= response.status_code < 300, (
        f"POST /books with {payload} answered {response.status_code}: {response.text[:200]}"
    )
    return response


# --- Task 1: the model --------------------------------------------------------------------


@pytest.mark.task(1)
def test_book_round_trip(main, engine):
    add_books(main, engine, ("Dune", "Frank Herbert"))
    rows = stored_books(main, engine)
    assert [(title, author) for _, title, author in rows] == [("Dune", "Frank Herbert")], (
        f"after storing one Book, the table holds {rows}"
    )
    assert isinstance(rows[0][0], int), f"the stored book got the id {rows[0][0]!r}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "`title: Mapped[str] = mapped_column(String(200))` and "
    "`author: Mapped[str] = mapped_column(String(100))`: a bare Mapped[str] has no length."
)
def test_columns_have_their_lengths(main):
    table = main.Book.__table__
    lengths = {name: getattr(table.c[name].type, "length", None) for name in ("title", "author")}
    assert lengths == {"title": 200, "author": 100}, (
        f"the columns are declared as title {table.c.title.type!r} and author "
        f"{table.c.author.type!r}, not String(200) and String(100)"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Put the pair in the table itself: "
    '`__table_args__ = (UniqueConstraint("title", "author"),)`. Then the database refuses a '
    "second identical row, whoever tries to insert it."
)
def test_the_database_refuses_a_duplicate_pair(main, engine):
    add_books(main, engine, ("Dune", "Frank Herbert"))
    with pytest.raises(IntegrityError, match="(?i)unique"):
        add_books(main, engine, ("Dune", "Frank Herbert"))
        pytest.fail("committing a second ('Dune', 'Frank Herbert') row raised no IntegrityError")


@pytest.mark.task(1)
@pytest.mark.hint(
    "Only the *pair* (title, author) is unique: one UniqueConstraint over both columns, not "
    "unique=True on each column."
)
def test_same_title_or_same_author_alone_is_allowed(main, engine):
    pairs = [
        ("Dune", "Frank Herbert"),
        ("Dune", "Ann Other"),
        ("Children of Dune", "Frank Herbert"),
    ]
    try:
        add_books(main, engine, *pairs)
    except IntegrityError as exc:
        pytest.fail(f"storing {pairs} raised IntegrityError: {exc.orig}")
    assert len(stored_books(main, engine)) == 3


@pytest.mark.task(1)
@pytest.mark.parametrize("missing", ["title", "author"])
@pytest.mark.hint("`Mapped[str]` (not `Mapped[str | None]`) makes a column NOT NULL.")
def test_title_and_author_are_not_null(main, engine, missing):
    values = {"title": "Dune", "author": "Frank Herbert", missing: None}
    with Session(engine) as session:
        session.add(main.Book(**values))
        with pytest.raises(IntegrityError):
            session.commit()
            pytest.fail(f"a Book with {missing}=None was stored")


# --- Task 2: POST /books ------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_create_answers_201_with_the_book(client):
    response = post_book(client, DUNE)
    assert response.status_code == 201, (
        f"POST /books answered {response.status_code}, not 201: {response.text[:200]}"
    )
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"id", "title", "author"}, (
        f"POST /books answered {body!r}, expected exactly the keys id, title, author"
    )
    assert (body["title"], body["author"]) == ("Dune", "Frank Herbert"), (
        f"POST /books answered {body!r}"
    )
    assert isinstance(body["id"], int) and not isinstance(body["id"], bool), (
        f"the answer's id is {body['id']!r}, not an integer"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Use the session FastAPI gives you (`db: Session = Depends(get_db)`), add the Book and call "
    "`db.commit()`. A flush or a refresh alone is undone when the session closes, and a session "
    "you open yourself bypasses get_db."
)
def test_created_book_is_committed(main, engine, client):
    response = created(client, DUNE)
    rows = stored_books(main, engine)
    assert [(title, author) for _, title, author in rows] == [("Dune", "Frank Herbert")], (
        f"after POST /books, a fresh session sees the rows {rows}: the book was not committed "
        "through the session of get_db"
    )
    assert rows[0][0] == response.json().get("id"), (
        f"POST /books answered id {response.json().get('id')!r}, the stored row has id {rows[0][0]}"
    )


@pytest.mark.task(2)
def test_each_book_gets_its_own_id(main, engine, client):
    first, second = created(client, DUNE).json(), created(client, EMMA).json()
    assert first.get("id") != second.get("id"), f"two books both got the id {first.get('id')!r}"
    assert len(stored_books(main, engine)) == 2, (
        f"after two POSTs the table holds {stored_books(main, engine)}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "get_db must create a new session on every call (`with SessionLocal() as session: "
    "yield session`). One module-level session shared by all requests mixes their transactions."
)
def test_get_db_yields_a_new_session_each_time(main):
    first, second = main.get_db(), main.get_db()
    try:
        one, two = next(first), next(second)
        assert isinstance(one, Session) and isinstance(two, Session), (
            f"get_db yielded {type(one).__name__} and {type(two).__name__}, not Sessions"
        )
        assert one is not two, "two calls of get_db yielded the same Session object"
    finally:
        first.close()
        second.close()


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`with SessionLocal() as session: yield session` closes the session when the request is "
    "done (or `try: yield db` / `finally: db.close()`). A session that is never closed keeps "
    "its connection and transaction open."
)
def test_get_db_closes_its_session_when_the_request_is_done(main):
    generator = main.get_db()
    session = next(generator)
    assert isinstance(session, Session), f"get_db yielded {type(session).__name__}, not a Session"
    closed = []
    close = session.close

    def spy_close():
        closed.append(True)
        close()

    session.close = spy_close
    try:
        next(generator)
    except StopIteration:
        pass
    else:
        generator.close()
        raise AssertionError("get_db yielded a second time: it should yield one session")
    assert closed, "get_db finished without closing the session it yielded"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A request is also done when its handler raises, as the 409 of a duplicate does: FastAPI "
    "throws that exception into get_db at its `yield`, so code after a bare `yield session` "
    "never runs. `with SessionLocal() as session: yield session` (or `try: yield db` / "
    "`finally: db.close()`) closes the session either way."
)
def test_get_db_closes_its_session_when_the_handler_raises(main):
    generator = main.get_db()
    session = next(generator)
    assert isinstance(session, Session), f"get_db yielded {type(session).__name__}, not a Session"
    closed = []
    close = session.close

    def spy_close():
        closed.append(True)
        close()

    session.close = spy_close
    conflict = HTTPException(status_code=409, detail="already stored")
    try:
        generator.throw(conflict)
    except HTTPException as exc:
        assert exc is conflict, f"get_db turned the handler's HTTPException into {exc!r}"
    except StopIteration:
        raise AssertionError(
            "get_db swallowed the HTTPException(409) the handler raised: it should propagate"
        ) from None
    else:
        generator.close()
        raise AssertionError("get_db yielded again after the handler raised")
    assert closed, (
        "when the handler raised HTTPException(409), get_db did not close the session it "
        "yielded: the code after its `yield` never ran"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "payload",
    [
        {"author": "Frank Herbert"},
        {"title": "Dune"},
        {"title": "", "author": "Frank Herbert"},
        {"title": "Dune", "author": ""},
        {"title": None, "author": "Frank Herbert"},
        {"title": "D" * 201, "author": "Frank Herbert"},
        {"title": "Dune", "author": "F" * 101},
    ],
    ids=[
        "no-title",
        "no-author",
        "empty-title",
        "empty-author",
        "null-title",
        "long-title",
        "long-author",
    ],
)
@pytest.mark.hint(
    "BookCreate declares both fields as required, non-empty strings: "
    "`title: str = Field(min_length=1, max_length=200)`. FastAPI then answers 422 by itself."
)
def test_invalid_body_is_422(main, engine, client, payload):
    response = post_book(client, payload)
    assert response.status_code == 422, (
        f"POST /books with {payload} answered {response.status_code}, not 422"
    )
    assert stored_books(main, engine) == [], "an invalid body still stored a row"


@pytest.mark.task(2)
@pytest.mark.hint(
    "The limits include their bounds: a 200-character title and a 100-character author are "
    "valid. `Field(min_length=1, max_length=200)` accepts exactly 1 to 200 characters."
)
def test_longest_allowed_title_and_author_are_created(main, engine, client):
    payload = {"title": "D" * 200, "author": "F" * 100}
    response = post_book(client, payload)
    assert response.status_code == 201, (
        f"POST /books with a 200-character title and a 100-character author answered "
        f"{response.status_code}, not 201: {response.text[:200]}"
    )
    assert [row[1:] for row in stored_books(main, engine)] == [("D" * 200, "F" * 100)], (
        "the book with a 200-character title and a 100-character author was not stored"
    )


# --- Task 3: duplicates -------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Committing a duplicate raises sqlalchemy.exc.IntegrityError. Catch it around "
    "`db.commit()`, call `db.rollback()`, and raise HTTPException(status_code=409, ...)."
)
def test_duplicate_book_is_409(main, engine, client):
    created(client, DUNE)
    response = post_book(client, DUNE)
    assert response.status_code == 409, (
        f"a second POST /books with {DUNE} answered {response.status_code}, not 409"
    )
    assert "detail" in response.json(), f"the 409 answer is {response.text[:200]}, no detail"
    assert len(stored_books(main, engine)) == 1, (
        f"after a duplicate the table holds {stored_books(main, engine)}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "After a failed commit the session must be rolled back before it is used again; the "
    "next request must work normally."
)
def test_requests_after_a_conflict_still_work(main, engine, client):
    created(client, DUNE)
    statuses = [post_book(client, payload).status_code for payload in (DUNE, EMMA, DUNE)]
    assert statuses[0] == 409 and 200 <= statuses[1] < 300 and statuses[2] == 409, (
        f"duplicate, new book, duplicate answered {statuses}, expected [409, 201, 409]"
    )
    titles = [title for _, title, _ in stored_books(main, engine)]
    assert titles == ["Dune", "Emma"], f"the table holds the titles {titles}"


@pytest.mark.task(3)
@pytest.mark.hint("Only the same title *by the same author* is a duplicate.")
def test_same_title_by_another_author_is_created(main, engine, client):
    created(client, DUNE)
    response = post_book(client, {"title": "Dune", "author": "Ann Other"})
    assert 200 <= response.status_code < 300, (
        f"'Dune' by another author answered {response.status_code}: {response.text[:200]}"
    )
    assert len(stored_books(main, engine)) == 2


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Checking with a SELECT first is not enough: another request can store the same book between "
    "your check and your INSERT. Only the database's unique constraint sees that; catch its "
    "IntegrityError around `db.commit()`, roll back and answer 409."
)
def test_a_duplicate_only_the_database_sees_is_409(main, engine, client):
    table = main.Book.__table__
    raced = []

    def another_request_stores_it_first(conn, clauseelement, multiparams, params, options):
        if raced or getattr(clauseelement, "table", None) is not table:
            return
        if getattr(clauseelement, "is_insert", False):
            raced.append(True)  # the same book, stored just before this request's INSERT
            conn.execute(insert(table).values(**DUNE))

    event.listen(engine, "before_execute", another_request_stores_it_first)
    try:
        response = post_book(client, DUNE)
    finally:
        event.remove(engine, "before_execute", another_request_stores_it_first)
    assert raced, (
        f"POST /books with {DUNE} on an empty table answered {response.status_code} without "
        "inserting a row"
    )
    assert response.status_code == 409, (
        f"when the same book was stored by another request just before this one's INSERT, "
        f"POST /books answered {response.status_code}, not 409: {response.text[:200]}"
    )
    assert "detail" in response.json(), f"the 409 answer is {response.text[:200]}, no detail"
    after = post_book(client, EMMA)
    assert 200 <= after.status_code < 300, (
        f"the next POST /books after that conflict answered {after.status_code}: {after.text[:200]}"
    )
