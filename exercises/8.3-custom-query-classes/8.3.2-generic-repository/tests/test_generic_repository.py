import pytest
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class TestBase(DeclarativeBase):
    __test__ = False


class Widget(TestBase):
    __tablename__ = "widgets"

    sku: Mapped[str] = mapped_column(String(10), primary_key=True)
    color: Mapped[str] = mapped_column(String(10))
    size: Mapped[int]


class Gadget(TestBase):
    __tablename__ = "gadgets"

    id: Mapped[int] = mapped_column(primary_key=True)
    # the attribute is label, the table's column gadget_label
    label: Mapped[str] = mapped_column("gadget_label", String(20))


# stored in this (non-sorted) order
WIDGETS = [("b2", "red", 2), ("a1", "red", 1), ("d4", "blue", 2), ("c3", "red", 2)]
AUTHORS = [(1, "Le Guin"), (2, "Butler"), (3, "Nobody")]
# (id, title, year, author_id), stored in this order
BOOKS = [
    (5, "Kindred", 1979, 2),
    (2, "The Left Hand of Darkness", 1969, 1),
    (4, "A Wizard of Earthsea", 1968, 1),
    (1, "Parable of the Sower", 1993, 2),
    (3, "The Dispossessed", 1974, 1),
    (6, "The Lathe of Heaven", 1971, 1),
]


@pytest.fixture
def repo_mod(learner):
    return learner.require("repository", "Base", "Author", "Book", "Repository")


@pytest.fixture
def session(repo_mod, db_engine):
    engine = db_engine(repo_mod.Base.metadata)
    TestBase.metadata.create_all(engine)
    with Session(engine) as session:
        for id_, name in AUTHORS:
            session.add(repo_mod.Author(id=id_, name=name))
            session.flush()
        for id_, title, year, author_id in BOOKS:
            session.add(repo_mod.Book(id=id_, title=title, year=year, author_id=author_id))
            session.flush()
        for sku, color, size in WIDGETS:
            session.add(Widget(sku=sku, color=color, size=size))
            session.flush()
        session.add_all([Gadget(id=1, label="lamp"), Gadget(id=2, label="fan")])
        session.commit()
        yield session


def repo(mod, session, model):
    return mod.Repository(session, model)


def book_ids(books):
    return [book.id for book in books]


# --- Task 1: get, add and delete -------------------------------------------------------------


@pytest.mark.task(1)
def test_get_finds_by_primary_key_for_any_model(repo_mod, session):
    got = {
        "Author 2": getattr(repo(repo_mod, session, repo_mod.Author).get(2), "name", None),
        "Book 4": getattr(repo(repo_mod, session, repo_mod.Book).get(4), "title", None),
        "Widget c3": getattr(repo(repo_mod, session, Widget).get("c3"), "color", None),
    }
    expected = {"Author 2": "Butler", "Book 4": "A Wizard of Earthsea", "Widget c3": "red"}
    assert got == expected, f"get(pk) gave {got}, expected {expected}"


@pytest.mark.task(1)
def test_get_unknown_key_is_none(repo_mod, session):
    got = repo(repo_mod, session, repo_mod.Book).get(99), repo(repo_mod, session, Widget).get("zz")
    assert got == (None, None), f"get() of a missing key gave {got}, expected None"


@pytest.mark.task(1)
def test_add_flushes_and_returns_the_object(repo_mod, session):
    author = repo_mod.Author(name="Jemisin")
    got = repo(repo_mod, session, repo_mod.Author).add(author)
    assert got is author, f"add() returned {got!r}, not the object it was given"
    assert author.id is not None, "after add() the new author has no id: flush after adding"
    widget = repo(repo_mod, session, Widget).add(Widget(sku="e5", color="green", size=1))
    assert session.get(Widget, "e5") is widget, "a widget added through add() is not found"


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_add_does_not_commit(repo_mod, session):
    author = repo(repo_mod, session, repo_mod.Author).add(repo_mod.Author(name="Jemisin"))
    new_id = author.id
    session.rollback()
    stored = session.scalars(select(repo_mod.Author.name).order_by(repo_mod.Author.id)).all()
    assert "Jemisin" not in stored, (
        f"after add() then session.rollback(), the authors are {stored}: the repository "
        f"committed (author id {new_id})"
    )


@pytest.mark.task(1)
def test_delete_does_not_commit(repo_mod, session):
    books = repo(repo_mod, session, repo_mod.Book)
    books.delete(books.get(3))
    session.rollback()
    stored = session.scalars(select(repo_mod.Book.id).order_by(repo_mod.Book.id)).all()
    assert 3 in stored, (
        f"after delete(book 3) then session.rollback(), the books are {stored}: the repository "
        f"committed the delete; it only flushes, the caller commits or rolls back"
    )


@pytest.mark.task(1)
def test_delete_removes_the_object(repo_mod, session):
    books = repo(repo_mod, session, repo_mod.Book)
    books.delete(books.get(3))
    assert books.get(3) is None, "after delete(book 3), get(3) still returns it: flush the delete"
    widgets = repo(repo_mod, session, Widget)
    widgets.delete(widgets.get("a1"))
    got = session.scalars(select(Widget.sku).order_by(Widget.sku)).all()
    assert got == ["b2", "c3", "d4"], f"after delete(widget a1) the widgets are {got}"


# --- Task 2: list and exists -----------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_list_is_ordered_by_primary_key(repo_mod, session):
    got = [w.sku for w in repo(repo_mod, session, Widget).list()]
    assert got == ["a1", "b2", "c3", "d4"], (
        f"Repository(session, Widget).list() gave {got}, expected ['a1', 'b2', 'c3', 'd4'] "
        f"(Widget's primary key is sku)"
    )
    got = book_ids(repo(repo_mod, session, repo_mod.Book).list())
    assert got == [1, 2, 3, 4, 5, 6], f"Repository(session, Book).list() gave ids {got}"
    assert isinstance(repo(repo_mod, session, repo_mod.Author).list(), list), "list() is no list"


@pytest.mark.task(2)
def test_list_filters_with_and(repo_mod, session):
    got = [w.sku for w in repo(repo_mod, session, Widget).list(color="red", size=2)]
    assert got == ["b2", "c3"], f'list(color="red", size=2) gave {got}, expected ["b2", "c3"]'
    got = book_ids(repo(repo_mod, session, repo_mod.Book).list(author_id=1))
    assert got == [2, 3, 4, 6], f"Book list(author_id=1) gave {got}, expected [2, 3, 4, 6]"


@pytest.mark.task(2)
def test_list_pages_with_limit_and_offset(repo_mod, session):
    books = repo(repo_mod, session, repo_mod.Book)
    got = [book_ids(books.list(limit=2)), book_ids(books.list(limit=2, offset=2))]
    got.append(book_ids(books.list(limit=2, offset=4, author_id=1)))
    expected = [[1, 2], [3, 4], []]
    assert got == expected, (
        f"list(limit=2), list(limit=2, offset=2) and list(limit=2, offset=4, author_id=1) gave "
        f"{got}, expected {expected}"
    )


@pytest.mark.task(2)
def test_list_default_limit_is_50_and_100_is_allowed(repo_mod, session):
    authors = repo(repo_mod, session, repo_mod.Author)
    session.add_all(repo_mod.Author(name=f"writer {n}") for n in range(120))
    session.flush()
    got = len(authors.list()), len(authors.list(limit=100))
    assert got == (50, 100), f"with 123 authors, list() and list(limit=100) gave {got} objects"


@pytest.mark.task(2)
@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [({"limit": 101}, "limit=101"), ({"limit": 0}, "limit=0"), ({"offset": -1}, "offset=-1")],
)
def test_list_rejects_bad_paging(repo_mod, session, kwargs, shown):
    with pytest.raises(ValueError):
        repo(repo_mod, session, repo_mod.Book).list(**kwargs)
        pytest.fail(f"list({shown}) raised no ValueError")


@pytest.mark.task(2)
def test_exists(repo_mod, session):
    books, widgets = repo(repo_mod, session, repo_mod.Book), repo(repo_mod, session, Widget)
    got = {
        "Book year=1979": books.exists(year=1979),
        "Book year=1980": books.exists(year=1980),
        "Widget color=blue size=2": widgets.exists(color="blue", size=2),
        "Widget color=blue size=1": widgets.exists(color="blue", size=1),
        "Widget no filter": widgets.exists(),
    }
    expected = {
        "Book year=1979": True,
        "Book year=1980": False,
        "Widget color=blue size=2": True,
        "Widget color=blue size=1": False,
        "Widget no filter": True,
    }
    assert got == expected, f"exists() gave {got}, expected {expected}"
    for widget in widgets.list():
        session.delete(widget)
    session.flush()
    assert widgets.exists() is False, "exists() with no filters on an empty table is not False"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    ("method", "name"),
    [("list", "titel"), ("list", "metadata"), ("exists", "titel"), ("exists", "metadata")],
)
def test_unknown_filter_is_value_error(repo_mod, session, method, name):
    books = repo(repo_mod, session, repo_mod.Book)
    try:
        getattr(books, method)(**{name: "x"})
    except ValueError:
        return
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"{method}({name}='x') raised {type(exc).__name__}, not ValueError")
    pytest.fail(f"{method}({name}='x') raised nothing: Book has no column {name}")


@pytest.mark.task(2)
@pytest.mark.parametrize("method", ["list", "exists"])
def test_relationship_filter_is_value_error(repo_mod, session, method):
    # a relationship is an attribute of the mapper, but no column attribute
    books = repo(repo_mod, session, repo_mod.Book)
    le_guin = session.get(repo_mod.Author, 1)
    try:
        got = getattr(books, method)(author=le_guin)
    except ValueError:
        return
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"{method}(author=<Author 1>) raised {type(exc).__name__}, not ValueError")
    shown = book_ids(got) if isinstance(got, list) else got
    pytest.fail(
        f"{method}(author=<Author 1>) gave {shown!r}, expected ValueError: Book.author is a "
        f"relationship, not a column attribute (filter on author_id)"
    )


@pytest.mark.task(2)
def test_filters_name_the_attributes_not_the_table_columns(repo_mod, session):
    # Gadget.label is stored in a column named gadget_label
    try:
        gadgets = repo(repo_mod, session, Gadget)
        got = [g.id for g in gadgets.list(label="fan")], gadgets.exists(label="lamp")
    except Exception as exc:  # noqa: BLE001
        pytest.fail(
            f"Gadget's attribute label is stored in a column named gadget_label; "
            f"Repository(session, Gadget), list(label='fan') and exists(label='lamp') raised "
            f"{type(exc).__name__}: {exc}: filters name the model's column attributes, not its "
            f"table's columns"
        )
    assert got == ([2], True), (
        f"for Gadget (attribute label, column gadget_label), list(label='fan') and "
        f"exists(label='lamp') gave {got}, expected ([2], True)"
    )
    for method in ("list", "exists"):
        try:
            getattr(gadgets, method)(gadget_label="fan")
        except ValueError:
            continue
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"{method}(gadget_label='fan') raised {type(exc).__name__}, not ValueError")
        pytest.fail(
            f"{method}(gadget_label='fan') raised nothing: gadget_label is the name of Gadget's "
            f"column in the table, but the model has no attribute of that name (it is label)"
        )


# --- Task 3: BookRepository ------------------------------------------------------------------


@pytest.mark.task(3)
def test_book_repository_is_a_repository_of_books(learner, session):
    mod = learner.require("repository", "Repository", "BookRepository")
    assert issubclass(mod.BookRepository, mod.Repository), "BookRepository is no Repository"
    books = mod.BookRepository(session)
    got = book_ids(books.list(limit=3)), books.get(5).title, books.exists(year=1968)
    assert got == ([1, 2, 3], "Kindred", True), (
        f"BookRepository(session): list(limit=3), get(5).title and exists(year=1968) gave {got}"
    )


@pytest.mark.task(3)
def test_by_author_in_id_order(learner, session):
    mod = learner.require("repository", "BookRepository")
    books = mod.BookRepository(session)
    # SQLite would answer a SELECT without ORDER BY in the order the rows are stored (here by
    # id); from now on it answers it the other way round, so only an ORDER BY gives id order.
    session.connection().exec_driver_sql("PRAGMA reverse_unordered_selects = ON")
    # "Guin", "Butle" and "le guin" are part of a name or differ in case: the name must be equal
    expected = {
        "Le Guin": [2, 3, 4, 6],
        "Butler": [1, 5],
        "Nobody": [],
        "Ghost": [],
        "Guin": [],
        "Butle": [],
        "le guin": [],
    }
    got = {name: book_ids(books.by_author(name)) for name in expected}
    assert got == expected, (
        f"by_author(name) gave book ids {got}, expected {expected}, with SQLite answering a "
        f"SELECT that has no ORDER BY in reverse: order the books by id in the query, and "
        f"match only the author whose name equals name exactly"
    )
