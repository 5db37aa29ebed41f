import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader import testing

LIBRARY = {
    "Frank Herbert": ["Dune", "Dune Messiah", "Children of Dune"],
    "Jane Austen": ["Emma", "Persuasion"],
    "Ann Leckie": [],
}


@pytest.fixture
def models(learner):
    return learner.require("models", "Base", "Author", "Book")


@pytest.fixture
def AuthorRead(learner):
    return learner.require("schemas", "AuthorRead").AuthorRead


@pytest.fixture
def BookRead(learner):
    return learner.require("schemas", "BookRead").BookRead


@pytest.fixture
def main(learner, models):
    return learner.require("main", "app", "get_db")


@pytest.fixture(scope="module")
def module_engine(learner):
    """One in-memory database with the learner's tables for the module (one connection for all
    threads): a new engine per test would also compile every statement again, since SQLAlchemy
    caches compiled SQL per engine."""
    models = learner.require("models", "Base", "Author", "Book")
    engine = testing.memory_engine(models.Base.metadata)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(models, module_engine):
    """The module's database, emptied for this test and answering unordered SELECTs in table
    order again."""
    testing.empty_database(module_engine, models.Base.metadata)
    return module_engine


@pytest.fixture(scope="module")
def module_client(learner, module_engine):
    """The learner's app for the module, with get_db overridden to hand out sessions on the
    module's database; its requests run on one event loop."""
    main = learner.require("main", "app", "get_db")
    with testing.overridden_db(main.app, main.get_db, module_engine):
        with testing.looped_client(main.app) as client:
            yield client


@pytest.fixture
def client(main, engine, module_client):
    """The learner's app on the test database (emptied for this test)."""
    return module_client


def shown(statements):
    return "\n".join(f"  {' '.join(s.split())[:120]}" for s in statements)


def seed(models, engine):
    """Stores LIBRARY through the ORM; returns {name: (author id, {title: book id})}."""
    with Session(engine) as session:
        authors = {}
        try:
            for name, titles in LIBRARY.items():
                author = models.Author(name=name)
                for title in titles:
                    models.Book(title=title, author=author)
                authors[name] = author
                session.add(author)
            session.commit()
        except Exception as exc:
            raise AssertionError(
                "the test library could not be stored with Author(name=...) and "
                f"Book(title=..., author=author): {type(exc).__name__}: {exc} (see Task 1)"
            ) from None
        return {
            name: (author.id, {book.title: book.id for book in author.books})
            for name, author in authors.items()
        }


def author_json(ids, name):
    author_id, books = ids[name]
    return {
        "id": author_id,
        "name": name,
        "books": sorted(({"id": i, "title": t} for t, i in books.items()), key=by_id),
    }


def by_id(item):
    return item["id"] if isinstance(item, dict) and isinstance(item.get("id"), int) else 0


def books_sorted(data):
    """The author data with its books in id order (the API may list them in any order)."""
    if isinstance(data, dict) and isinstance(data.get("books"), list):
        return {**data, "books": sorted(data["books"], key=by_id)}
    return data


def stored(models, engine):
    """{author name: sorted titles} for every author, read through a fresh session."""
    with Session(engine) as session:
        authors = session.scalars(select(models.Author)).all()
        return {a.name: sorted(b.title for b in a.books) for a in authors}


def unordered_selects_reversed(engine):
    """SQLite answers a SELECT without ORDER BY in the order of its table, which here is id
    order too; from now on it answers such a SELECT the other way round, so only an ORDER BY
    gives the order a prompt asks for."""
    with engine.connect() as conn:  # the test database's one connection
        conn.exec_driver_sql("PRAGMA reverse_unordered_selects = ON")


def row_counts(models, engine):
    with Session(engine) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (models.Author, models.Book)
        )


# --- Task 1: the models -------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Author: `books: Mapped[list["Book"]] = relationship(back_populates="author")`; Book: '
    '`author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))` and '
    '`author: Mapped["Author"] = relationship(back_populates="books")`.'
)
def test_an_author_and_its_books_round_trip(models, engine):
    ids = seed(models, engine)
    with Session(engine) as session:
        dune = session.get(models.Book, ids["Frank Herbert"][1]["Dune"])
        assert dune.author.name == "Frank Herbert", f"Dune's author is {dune.author!r}"
        assert dune.author_id == ids["Frank Herbert"][0], (
            f"Dune's author_id is {dune.author_id!r}, not Frank Herbert's id "
            f"{ids['Frank Herbert'][0]}"
        )
    assert stored(models, engine) == {n: sorted(t) for n, t in LIBRARY.items()}, (
        f"after storing the library, the authors' books are {stored(models, engine)}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "back_populates links the two attributes in Python too: setting book.author appends the "
    "book to author.books at once, before anything is stored. Give it on both sides."
)
def test_both_sides_stay_in_sync_before_saving(models):
    author = models.Author(name="Frank Herbert")
    book = models.Book(title="Dune")
    book.author = author
    assert list(author.books) == [book], (
        f"after book.author = author, author.books is {list(author.books)!r}: "
        "are the relationships linked with back_populates?"
    )
    other = models.Book(title="Dune Messiah")
    author.books.append(other)
    assert other.author is author, "after author.books.append(book), book.author is not author"


@pytest.mark.task(1)
@pytest.mark.hint(
    "`name: Mapped[str] = mapped_column(String(100))` and "
    "`title: Mapped[str] = mapped_column(String(200))`: a bare Mapped[str] has no length."
)
def test_columns_have_their_lengths(models):
    name = models.Author.__table__.c["name"].type
    title = models.Book.__table__.c["title"].type
    lengths = (getattr(name, "length", None), getattr(title, "length", None))
    assert lengths == (100, 200), (
        f"Author.name is declared as {name!r} and Book.title as {title!r}, not String(100) and "
        "String(200)"
    )


@pytest.mark.task(1)
@pytest.mark.hint("A non-optional `author_id: Mapped[int]` is NOT NULL: a book needs an author.")
def test_a_book_needs_an_author(models, engine):
    with Session(engine) as session:
        session.add(models.Book(title="Orphan"))
        with pytest.raises(IntegrityError):
            session.commit()
            pytest.fail("a Book without an author was stored")


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`__table_args__ = (UniqueConstraint("author_id", "title"),)`: the pair is unique, so '
    "two authors may still both write a 'Dune'."
)
def test_titles_are_unique_per_author(models, engine):
    ids = seed(models, engine)
    with Session(engine) as session:
        austen = session.get(models.Author, ids["Jane Austen"][0])
        session.add(models.Book(title="Dune", author=austen))
        try:
            session.commit()
        except IntegrityError as exc:
            raise AssertionError(
                "a 'Dune' by Jane Austen was refused although only Frank Herbert has one: "
                f"{exc.orig}"
            ) from None
    with Session(engine) as session:
        austen = session.get(models.Author, ids["Jane Austen"][0])
        session.add(models.Book(title="Emma", author=austen))
        with pytest.raises(IntegrityError):
            session.commit()
            pytest.fail("a second 'Emma' by Jane Austen was stored")


# --- Task 2: the read schemas -------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "`AuthorRead.model_validate(author)` reads the nested books too, and each nested schema "
    "needs its own `model_config = ConfigDict(from_attributes=True)`. Nest BookBrief "
    "{id, title}, not BookRead: a book inside an author must not repeat its author."
)
def test_author_read_validates_an_orm_author(models, AuthorRead, engine):
    ids = seed(models, engine)
    for name in ("Frank Herbert", "Ann Leckie"):
        with Session(engine) as session:
            author = session.get(models.Author, ids[name][0])
            try:
                data = AuthorRead.model_validate(author).model_dump()
            except (ValidationError, RecursionError) as exc:
                raise AssertionError(
                    f"AuthorRead.model_validate(<Author {name}>) failed: {exc}"
                ) from None
        assert books_sorted(data) == author_json(ids, name), (
            f"AuthorRead.model_validate(<Author {name}>).model_dump() is {data}"
        )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "BookRead nests AuthorBrief {id, name}, not AuthorRead: an author inside a book must not "
    "list its books again (that would loop: author -> books -> author ...)."
)
def test_book_read_validates_an_orm_book(models, BookRead, engine):
    ids = seed(models, engine)
    author_id, books = ids["Jane Austen"]
    with Session(engine) as session:
        book = session.get(models.Book, books["Emma"])
        try:
            data = BookRead.model_validate(book).model_dump()
        except (ValidationError, RecursionError) as exc:
            raise AssertionError(f"BookRead.model_validate(<Book Emma>) failed: {exc}") from None
    expected = {
        "id": books["Emma"],
        "title": "Emma",
        "author": {"id": author_id, "name": "Jane Austen"},
    }
    assert data == expected, f"BookRead.model_validate(<Book Emma>).model_dump() is {data}"


# --- Task 3: the GET endpoints ------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`@app.get("/authors/{author_id}", response_model=AuthorRead)` returning the Author '
    "object: FastAPI reads the books through the relationship."
)
def test_get_author_nests_brief_books(models, engine, client):
    ids = seed(models, engine)
    author_id = ids["Frank Herbert"][0]
    response = client.get(f"/authors/{author_id}")
    assert response.status_code == 200, (
        f"GET /authors/{author_id} answered {response.status_code}: {response.text[:200]}"
    )
    assert books_sorted(response.json()) == author_json(ids, "Frank Herbert"), (
        f"GET /authors/{author_id} answered {response.text[:400]}"
    )


@pytest.mark.task(3)
@pytest.mark.hint("A relationship with no rows loads as an empty list: AuthorRead shows `[]`.")
def test_author_without_books_has_an_empty_list(models, engine, client):
    ids = seed(models, engine)
    author_id = ids["Ann Leckie"][0]
    response = client.get(f"/authors/{author_id}")
    assert response.status_code == 200, f"GET /authors/{author_id} answered {response.status_code}"
    assert response.json() == {"id": author_id, "name": "Ann Leckie", "books": []}, (
        f"an author without books answered {response.text[:200]}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`@app.get("/books/{book_id}", response_model=BookRead)`, BookRead nesting AuthorBrief.'
)
def test_get_book_nests_a_brief_author(models, engine, client):
    ids = seed(models, engine)
    author_id, books = ids["Frank Herbert"]
    response = client.get(f"/books/{books['Dune Messiah']}")
    assert response.status_code == 200, (
        f"GET /books/{books['Dune Messiah']} answered {response.status_code}: {response.text[:200]}"
    )
    expected = {
        "id": books["Dune Messiah"],
        "title": "Dune Messiah",
        "author": {"id": author_id, "name": "Frank Herbert"},
    }
    assert response.json() == expected, (
        f"GET /books/{books['Dune Messiah']} answered {response.text[:300]}"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize("path", ["/authors/999", "/books/999"])
@pytest.mark.hint("`session.get()` returns None for an unknown id: raise HTTPException(404).")
def test_unknown_ids_are_404(models, engine, client, path):
    seed(models, engine)
    response = client.get(path)
    assert response.status_code == 404, f"GET {path} answered {response.status_code}, not 404"


@pytest.mark.task(3)
@pytest.mark.hint(
    "One SELECT for the author and one for its books: `session.get(Author, id)` (the books "
    "load when they are read) or `options=[selectinload(Author.books)]`."
)
def test_get_author_runs_at_most_two_statements(models, engine, client, sql_counter):
    ids = seed(models, engine)
    with sql_counter(engine) as counted:
        response = client.get(f"/authors/{ids['Frank Herbert'][0]}")
    assert response.status_code == 200, f"GET /authors/{{id}} answered {response.status_code}"
    assert counted.count <= 2, (
        f"GET /authors/{{id}} ran {counted.count} SQL statements, at most 2 "
        f"expected:\n{shown(counted.statements)}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`select(Author).order_by(Author.id)`, answered with `response_model=list[AuthorRead]`: "
    "without an ORDER BY the database may answer in any order."
)
def test_list_authors_nests_their_books(models, engine, client):
    ids = seed(models, engine)
    unordered_selects_reversed(engine)
    response = client.get("/authors")
    assert response.status_code == 200, (
        f"GET /authors answered {response.status_code}: {response.text[:200]}"
    )
    body = response.json()
    assert isinstance(body, list), f"GET /authors answered {response.text[:200]}, not a list"
    expected = [author_json(ids, name) for name in LIBRARY]
    assert sorted((books_sorted(a) for a in body), key=by_id) == expected, (
        f"GET /authors answered {response.text[:500]}"
    )
    listed = [by_id(a) for a in body]
    assert listed == sorted(listed), (
        f"GET /authors listed the authors with the ids {listed}, not ordered by id: without an "
        "ORDER BY a database may answer in any order"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Reading author.books for each author lazily runs one SELECT per author (the N+1 problem). "
    "`select(Author).options(selectinload(Author.books))` loads the books of all of them in "
    "one more SELECT."
)
def test_list_authors_avoids_n_plus_one(models, engine, client, sql_counter):
    seed(models, engine)
    with sql_counter(engine) as counted:
        response = client.get("/authors")
    assert response.status_code == 200, f"GET /authors answered {response.status_code}"
    assert counted.count <= 2, (
        f"GET /authors with {len(LIBRARY)} authors ran {counted.count} SQL "
        f"statements, at most 2 expected:\n{shown(counted.statements)}"
    )


# --- Task 4: POST /authors ----------------------------------------------------------------

FRANK = {"name": "Frank Herbert", "books": [{"title": "Dune"}, {"title": "Dune Messiah"}]}


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Build the whole graph, `Author(name=..., books=[Book(title=b.title) for b in "
    "payload.books])`, add the author (the books follow it) and commit once. Answer with "
    "`response_model=AuthorRead, status_code=201`."
)
def test_post_creates_the_author_with_its_books(models, engine, client):
    response = client.post("/authors", json=FRANK)
    assert response.status_code == 201, (
        f"POST /authors answered {response.status_code}, not 201: {response.text[:200]}"
    )
    assert stored(models, engine) == {"Frank Herbert": ["Dune", "Dune Messiah"]}, (
        f"after POST /authors a fresh session sees {stored(models, engine)}"
    )
    with Session(engine) as session:
        author = session.scalars(select(models.Author)).one()
        expected = {
            "id": author.id,
            "name": "Frank Herbert",
            "books": sorted(({"id": b.id, "title": b.title} for b in author.books), key=by_id),
        }
    assert books_sorted(response.json()) == expected, (
        f"POST /authors answered {response.text[:300]}, expected {expected}"
    )


@pytest.mark.task(4)
@pytest.mark.parametrize("books", ["left out", "empty list"])
@pytest.mark.hint(
    "`books: list[BookCreate] = []`: a body without books is an author without books."
)
def test_post_an_author_without_books(models, engine, client, books):
    payload = {"name": "Ann Leckie"} if books == "left out" else {"name": "Ann Leckie", "books": []}
    response = client.post("/authors", json=payload)
    assert response.status_code == 201, (
        f"POST /authors with {payload} answered {response.status_code}: {response.text[:200]}"
    )
    body = response.json()
    assert body.get("books") == [] and body.get("name") == "Ann Leckie", (
        f"POST /authors with {payload} answered {body}"
    )
    assert stored(models, engine) == {"Ann Leckie": []}


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.parametrize("case", ["empty first title", "too long second title", "missing title"])
@pytest.mark.hint(
    "Validate the nested books with their own model: `books: list[BookCreate]` with "
    "`title: str = Field(min_length=1, max_length=200)`. FastAPI then reports the exact place, "
    '["body", "books", <index>, "title"], and stores nothing.'
)
def test_a_bad_nested_title_is_422_at_its_location(models, engine, client, case):
    books, index = {
        "empty first title": ([{"title": ""}, {"title": "Dune"}], 0),
        "too long second title": ([{"title": "Dune"}, {"title": "x" * 201}], 1),
        "missing title": ([{}], 0),
    }[case]
    response = client.post("/authors", json={"name": "Frank Herbert", "books": books})
    assert response.status_code == 422, (
        f"POST /authors with the books {books} answered {response.status_code}, not 422"
    )
    detail = response.json().get("detail")
    locations = [e.get("loc") for e in detail] if isinstance(detail, list) else []
    assert ["body", "books", index, "title"] in locations, (
        f"POST /authors with the books {books} reported errors at {locations}, expected "
        f"['body', 'books', {index}, 'title']"
    )
    assert row_counts(models, engine) == (0, 0), (
        f"an invalid body stored {row_counts(models, engine)} (authors, books)"
    )


@pytest.mark.task(4)
@pytest.mark.hint("`name: str = Field(min_length=1, max_length=100)`.")
def test_an_empty_name_is_422(models, engine, client):
    response = client.post("/authors", json={"name": "", "books": [{"title": "Dune"}]})
    assert response.status_code == 422, f"an empty name answered {response.status_code}, not 422"
    assert row_counts(models, engine) == (0, 0)


@pytest.mark.task(4)
@pytest.mark.hint("`name: str = Field(min_length=1, max_length=100)`: 100 characters at most.")
def test_a_name_over_100_characters_is_422(models, engine, client):
    response = client.post("/authors", json={"name": "n" * 101, "books": [{"title": "Dune"}]})
    assert response.status_code == 422, (
        f"a 101-character name answered {response.status_code}, not 422"
    )
    assert row_counts(models, engine) == (0, 0), (
        f"a 101-character name stored {row_counts(models, engine)} (authors, books)"
    )
    longest = client.post("/authors", json={"name": "n" * 100})
    assert longest.status_code == 201, (
        f"a 100-character name answered {longest.status_code}: {longest.text[:200]}"
    )


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Store the author and its books in ONE transaction: add the whole graph and commit once. "
    "When the commit raises IntegrityError, `db.rollback()` undoes all of it (the author too) "
    "and you answer 409. A commit of the author before its books leaves the author behind."
)
def test_duplicate_titles_are_409_and_store_nothing(models, engine, client):
    payload = {"name": "Frank Herbert", "books": [{"title": "Dune"}, {"title": "Dune"}]}
    response = client.post("/authors", json=payload)
    assert response.status_code == 409, (
        f"POST /authors with two books titled Dune answered {response.status_code}, not 409: "
        f"{response.text[:200]}"
    )
    assert row_counts(models, engine) == (0, 0), (
        f"after the 409 the database holds {stored(models, engine)}: the author and its books "
        "must be stored together or not at all"
    )
    again = client.post("/authors", json=FRANK)
    assert again.status_code == 201, (
        f"a valid POST /authors after the 409 answered {again.status_code}: {again.text[:200]}"
    )
    assert stored(models, engine) == {"Frank Herbert": ["Dune", "Dune Messiah"]}
