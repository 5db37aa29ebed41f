import pytest
from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session

# name -> {title: [stars, ...]}; 20 authors inserted out of alphabetical order, some without books.
NAMES = [
    "Tolstoy", "Austen", "Woolf", "Borges", "Calvino", "Eco", "Kafka", "Dickens", "Orwell",
    "Le Guin", "Morrison", "Nabokov", "Achebe", "Pamuk", "Rulfo", "Szymborska", "Murakami",
    "Ishiguro", "Hugo", "Gogol",
]  # fmt: skip


def library() -> dict[str, dict[str, list[int]]]:
    data = {}
    for index, name in enumerate(NAMES):
        books = {}
        for number in range(index % 4):  # 0 to 3 books each
            books[f"{name} book {number}"] = [(index + number + k) % 5 + 1 for k in range(number)]
        data[name] = books
    return data


LIBRARY = library()


@pytest.fixture
def queries(learner):
    return learner.require(
        "queries", "Base", "Author", "Book", "Review", "list_authors_with_books", "get_author_tree"
    )


@pytest.fixture
def engine(queries, db_engine):
    engine = db_engine(queries.Base.metadata)
    with Session(engine) as session:
        for name, books in LIBRARY.items():
            author = queries.Author(name=name)
            author.books = [
                queries.Book(title=title, reviews=[queries.Review(stars=s) for s in stars])
                for title, stars in books.items()
            ]
            session.add(author)
        session.commit()
    return engine


def author_id(queries, engine, name):
    with Session(engine) as session:
        return session.scalars(select(queries.Author.id).where(queries.Author.name == name)).one()


# --- Task 1: lazy="raise" -----------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("model", "attribute"),
    [("Author", "books"), ("Book", "author"), ("Book", "reviews"), ("Review", "book")],
)
@pytest.mark.hint(
    'Give every relationship() `lazy="raise"`: reading a relationship that no query loaded '
    "then raises at once instead of quietly running one more SELECT."
)
def test_an_unloaded_relationship_raises(queries, engine, model, attribute):
    cls = getattr(queries, model)
    with Session(engine) as session:
        obj = session.scalars(select(cls).limit(1)).one()
        try:
            value = getattr(obj, attribute)
        except InvalidRequestError:
            return
        pytest.fail(
            f"reading {model}.{attribute} on a {model} loaded by a plain select() ran a lazy load "
            f"and gave {value!r} instead of raising"
        )


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("model", "attribute", "target"), [("Book", "author", "Author"), ("Review", "book", "Book")]
)
@pytest.mark.hint(
    'Use `lazy="raise"` itself: `lazy="raise_on_sql"` still hands back a many-to-one target '
    "that the session happens to hold already, so a forgotten loader goes unnoticed."
)
def test_an_unloaded_relationship_raises_even_if_its_target_is_in_the_session(
    queries, engine, model, attribute, target
):
    with Session(engine) as session:
        # every target is in the session (the identity map holds weak references: keep them)
        held = session.scalars(select(getattr(queries, target))).all()
        obj = session.scalars(select(getattr(queries, model)).limit(1)).one()
        try:
            value = getattr(obj, attribute)
        except InvalidRequestError:
            return
        assert held
        pytest.fail(
            f"reading {model}.{attribute} on a {model} loaded by a plain select() gave {value!r} "
            f"from the session instead of raising"
        )


# --- Task 2: list_authors_with_books ------------------------------------------------------


def listed(queries, engine, sql_counter):
    with Session(engine) as session:
        with sql_counter(engine) as counted:
            authors = list(queries.list_authors_with_books(session))
    # the session is closed: everything below must already be loaded
    try:
        return [(a.name, sorted(b.title for b in a.books)) for a in authors], counted
    except InvalidRequestError as exc:
        pytest.fail(f"reading an author's books after the session closed raised: {exc}")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_every_author_is_listed_by_name_with_their_books(queries, engine, sql_counter):
    rows, _ = listed(queries, engine, sql_counter)
    expected = [(name, sorted(LIBRARY[name])) for name in sorted(LIBRARY)]
    assert [name for name, _ in rows] == [name for name, _ in expected], (
        f"list_authors_with_books returned the authors {[name for name, _ in rows]}, "
        f"expected all 20 ordered by name"
    )
    assert rows == expected, "an author's books differ from the stored ones"


@pytest.mark.task(2)
def test_more_authors_are_all_listed_in_two_statements(queries, engine, sql_counter):
    extra = [f"Zz extra {number:02d}" for number in range(15)]
    with Session(engine) as session:
        session.add_all(queries.Author(name=name) for name in extra)
        session.commit()
    rows, counted = listed(queries, engine, sql_counter)
    names = [name for name, _ in rows]
    assert names == sorted([*LIBRARY, *extra]), (
        f"with 35 authors stored, list_authors_with_books returned {len(names)}: {names}"
    )
    assert counted.count <= 2, (
        f"list_authors_with_books ran {counted.count} SQL statements for 35 authors "
        f"(at most 2 allowed)"
    )


@pytest.mark.task(2)
def test_an_author_without_books_has_an_empty_list(queries, engine, sql_counter):
    rows, _ = listed(queries, engine, sql_counter)
    bookless = dict(rows).get("Tolstoy", "missing")
    assert bookless == [], f"Tolstoy (no books) was listed with books {bookless!r}"


@pytest.mark.task(2)
def test_no_author_is_listed_twice(queries, engine, sql_counter):
    rows, _ = listed(queries, engine, sql_counter)
    names = [name for name, _ in rows]
    twice = sorted({name for name in names if names.count(name) > 1})
    assert not twice, f"{len(names)} authors were returned; listed more than once: {twice}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Load the books in the same call: `select(Author).options(selectinload(Author.books))` "
    "runs two SELECTs whatever the number of authors; a loop that loads each author's books "
    "runs one more per author (the N+1 problem)."
)
def test_twenty_authors_take_at_most_two_statements(queries, engine, sql_counter):
    _, counted = listed(queries, engine, sql_counter)
    assert counted.count <= 2, (
        f"list_authors_with_books ran {counted.count} SQL statements for 20 authors "
        f"(at most 2 allowed)"
    )


# --- Task 3: get_author_tree --------------------------------------------------------------


def tree(queries, engine, sql_counter, name):
    wanted = author_id(queries, engine, name)
    with Session(engine) as session:
        with sql_counter(engine) as counted:
            author = queries.get_author_tree(session, wanted)
    try:
        books = {b.title: sorted(r.stars for r in b.reviews) for b in author.books}
    except InvalidRequestError as exc:
        pytest.fail(f"reading the tree of {name} after the session closed raised: {exc}")
    return author, books, counted


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("name", ["Woolf", "Dickens", "Tolstoy"])
def test_the_tree_holds_the_authors_books_and_their_reviews(queries, engine, sql_counter, name):
    author, books, _ = tree(queries, engine, sql_counter, name)
    assert author.name == name, f"get_author_tree for {name}'s id returned {author.name!r}"
    expected = {title: sorted(stars) for title, stars in LIBRARY[name].items()}
    assert books == expected, f"the tree of {name} holds {books}, expected {expected}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Chain the loaders: `selectinload(Author.books).selectinload(Book.reviews)` loads the "
    "author, then all its books, then all their reviews: three SELECTs whatever the counts."
)
def test_the_tree_takes_at_most_three_statements(queries, engine, sql_counter):
    _, _, counted = tree(queries, engine, sql_counter, "Dickens")
    assert counted.count <= 3, (
        f"get_author_tree ran {counted.count} SQL statements for an author with 3 books "
        f"(at most 3 allowed)"
    )


@pytest.mark.task(3)
def test_an_unknown_id_gives_none(queries, engine):
    with Session(engine) as session:
        try:
            found = queries.get_author_tree(session, 999)
        except Exception as exc:  # noqa: BLE001 - shown to the learner
            pytest.fail(f"get_author_tree(session, 999) raised {type(exc).__name__}: {exc}")
    assert found is None, f"get_author_tree(session, 999) returned {found!r}, not None"
