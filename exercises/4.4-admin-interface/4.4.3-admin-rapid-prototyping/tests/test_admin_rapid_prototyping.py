"""Hidden tests for 4.4.3: author and book views, a login through AdminAuth with credentials
read from the environment at login time, no admin page for strangers, and a mark_published
action. Pages are checked only for stable strings, never whole HTML. The action's connections
are counted through the engine's checkout and checkin events, with the garbage collector paused
so that a session left open still holds its connection when the answer has come."""

import base64
import gc
import html
import re
from contextlib import contextmanager
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from grader.testing import client_for, fresh_scalars, memory_engine

USER = "librarian"
PASSWORD = "correct-horse-battery"
KEY = "a-test-secret-key-of-32-characters!!"
LE_GUIN = "Ursula Le Guin"
BUTLER = "Octavia Butler"


@pytest.fixture(scope="module")
def module(learner):
    return learner.require("admin", "Base", "Author", "Book", "create_app")


@pytest.fixture(scope="module")
def lib(module):
    """One app for this module (a view class serves the Admin that added it last): two authors,
    three books."""
    engine = memory_engine(module.Base.metadata)
    with Session(engine) as session:
        le_guin = module.Author(name=LE_GUIN)
        butler = module.Author(name=BUTLER)
        books = [
            module.Book(title="Earthsea", author=le_guin),
            module.Book(title="The Dispossessed", author=le_guin, published=True),
            module.Book(title="Kindred", author=butler),
        ]
        session.add_all([le_guin, butler, *books])
        session.commit()
        ids = SimpleNamespace(
            le_guin=le_guin.id, butler=butler.id, earthsea=books[0].id, kindred=books[2].id
        )
    app = module.create_app(engine, KEY)
    yield SimpleNamespace(engine=engine, app=app, ids=ids)
    engine.dispose()


@pytest.fixture
def creds(monkeypatch):
    monkeypatch.setenv("ADMIN_USER", USER)
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)


@pytest.fixture
def anon(lib):
    return client_for(lib.app)


def log_in(client, username=USER, password=PASSWORD):
    return client.post("/admin/login", data={"username": username, "password": password})


@pytest.fixture
def admin(lib, creds):
    """A client that logged in."""
    client = client_for(lib.app)
    response = log_in(client)
    assert response.status_code == 302, (
        f"POST /admin/login with the right user name and password answered "
        f"{response.status_code}, not 302"
    )
    return client


def path_of(response):
    return urlsplit(response.headers.get("location", "")).path


def get_ok(client, path):
    response = client.get(path)
    assert response.status_code == 200, f"GET {path} answered {response.status_code}" + (
        f" (to {path_of(response)})" if response.status_code in (301, 302, 303, 307) else ""
    )
    return response.text


def sent_to_login(response):
    return response.status_code == 302 and path_of(response) == "/admin/login"


def names(items):
    return [item if isinstance(item, str) else getattr(item, "key", repr(item)) for item in items]


def books(module, lib):
    """(id, title, published, author_id) of every book, read through a fresh session."""
    rows = fresh_scalars(lib.engine, select(module.Book).order_by(module.Book.id))
    return [(b.id, b.title, b.published, b.author_id) for b in rows]


def add_books(module, lib, *titles):
    with Session(lib.engine) as session:
        new = [module.Book(title=title, author_id=lib.ids.butler) for title in titles]
        session.add_all(new)
        session.commit()
        return [book.id for book in new]


def published(module, lib, ids):
    """{id: published} of these books, read through a fresh session."""
    with Session(lib.engine) as session:
        found = session.execute(
            select(module.Book.id, module.Book.published).where(module.Book.id.in_(ids))
        ).all()
    return dict(found)


def select_options(text, name):
    match = re.search(
        rf'<select\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', text, re.DOTALL
    )
    if match is None:
        return None
    found = re.findall(r'<option\b[^>]*\bvalue="([^"]*)"[^>]*>(.*?)</option>', match[1], re.DOTALL)
    return {html.unescape(label).strip(): value for value, label in found if label.strip()}


def form_fields(text):
    found = re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', text)
    return sorted(set(found) - {"save"})


@contextmanager
def checked_out(engine):
    """Within the block, a list holding the number of the engine's connections checked out of
    its pool and not yet returned since the block began; the garbage collector is paused, so a
    connection left to it counts as still checked out."""
    held = [0]

    def checkout(*_args) -> None:
        held[0] += 1

    def checkin(*_args) -> None:
        held[0] -= 1

    enabled = gc.isenabled()
    gc.disable()
    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    try:
        yield held
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)
        if enabled:
            gc.enable()


def cookie_text(client):
    """The session cookie, with its base64 payload decoded where it can be."""
    value = client.cookies.get("session") or ""
    payload = value.split(".")[0]
    try:
        decoded = base64.b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8", "replace")
    except ValueError:
        decoded = ""
    return value + "\n" + decoded


# --- Task 1: the author and book views -----------------------------------------------------


@pytest.mark.task(1)
def test_list_columns(learner):
    module = learner.require("admin", "AuthorAdmin", "BookAdmin")
    got = (names(module.AuthorAdmin.column_list), names(module.BookAdmin.column_list))
    assert got == (["id", "name"], ["id", "title", "author", "published"]), (
        f"AuthorAdmin.column_list and BookAdmin.column_list name {got}"
    )


@pytest.mark.task(1)
def test_str_of_an_author_is_the_name(module):
    got = str(module.Author(name="N. K. Jemisin"))
    assert got == "N. K. Jemisin", f"str(Author(name='N. K. Jemisin')) is {got!r}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "BookAdmin.column_list = [Book.id, Book.title, Book.author, Book.published], and "
    "Author.__str__ returns the name: the list shows a related row as str()."
)
def test_lists_show_titles_and_author_names(admin):
    text = get_ok(admin, "/admin/book/list")
    missing = [s for s in ("Earthsea", "Kindred", LE_GUIN, BUTLER) if s not in text]
    assert not missing, f"the page /admin/book/list does not show {missing}"
    text = get_ok(admin, "/admin/author/list")
    missing = [s for s in (LE_GUIN, BUTLER) if s not in text]
    assert not missing, f"the page /admin/author/list does not show {missing}"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Leave the relationship `author` in the book form (form_columns = [Book.title, "
    "Book.author, Book.published]); sqladmin makes it a select labelled by str(author)."
)
def test_book_form_has_an_author_select(lib, admin):
    text = get_ok(admin, "/admin/book/create")
    fields = form_fields(text)
    assert fields == ["author", "published", "title"], (
        f"the form at /admin/book/create has the fields {fields}"
    )
    options = select_options(text, "author")
    expected = {LE_GUIN: str(lib.ids.le_guin), BUTLER: str(lib.ids.butler)}
    assert options == expected, (
        f'the select "author" offers {options} (option text: value), expected {expected}'
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_form_post_creates_a_book(module, lib, admin):
    response = admin.post(
        "/admin/book/create",
        data={"title": "Wild Seed", "author": str(lib.ids.butler), "save": "Save"},
    )
    assert response.status_code == 302, (
        f"POST /admin/book/create answered {response.status_code}, not 302"
    )
    stored = [(t, p, a) for _, t, p, a in books(module, lib) if t == "Wild Seed"]
    assert stored == [("Wild Seed", False, lib.ids.butler)], (
        f"after the POST, the books titled Wild Seed are {stored} (title, published, author_id)"
    )


# --- Task 2: logging in and out ------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "login reads `form = await request.form()`, compares form['username'] and form['password'] "
    "with os.environ['ADMIN_USER'] and os.environ['ADMIN_PASSWORD'], stores a marker in "
    "request.session and returns True; authenticate returns whether the marker is there."
)
def test_good_login_opens_every_admin_page(lib, creds):
    client = client_for(lib.app)
    response = log_in(client)
    assert response.status_code == 302 and path_of(response) == "/admin/", (
        f"POST /admin/login with the right credentials answered {response.status_code} "
        f"to {path_of(response)!r}, not 302 to /admin/"
    )
    for path in (
        "/admin/",
        "/admin/author/list",
        "/admin/book/list",
        f"/admin/book/details/{lib.ids.earthsea}",
        "/admin/book/create",
        f"/admin/book/edit/{lib.ids.earthsea}",
        "/admin/book/export/csv",
    ):
        get_ok(client, path)


@pytest.mark.task(2)
def test_wrong_password_is_400(anon, creds):
    response = log_in(anon, password="wrong-password")
    assert response.status_code == 400, (
        f"POST /admin/login with a wrong password answered {response.status_code}, not 400"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Read os.environ inside login, each time someone logs in, not at import or in create_app."
)
def test_credentials_are_read_at_login_time(lib, monkeypatch):
    monkeypatch.setenv("ADMIN_USER", "first-user")
    monkeypatch.setenv("ADMIN_PASSWORD", "first-password")
    response = log_in(client_for(lib.app), "first-user", "first-password")
    assert response.status_code == 302, (
        f"with ADMIN_USER and ADMIN_PASSWORD set after create_app, logging in with them "
        f"answered {response.status_code}"
    )
    monkeypatch.setenv("ADMIN_PASSWORD", "rotated-password")
    response = log_in(client_for(lib.app), "first-user", "first-password")
    assert response.status_code == 400, (
        f"after ADMIN_PASSWORD changed, the old password still logs in ({response.status_code})"
    )
    response = log_in(client_for(lib.app), "first-user", "rotated-password")
    assert response.status_code == 302, (
        f"after ADMIN_PASSWORD changed, the new password answered {response.status_code}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("logout: request.session.clear(), then return True.")
def test_logout_forgets_the_login(admin):
    get_ok(admin, "/admin/book/list")
    response = admin.get("/admin/logout")
    assert response.status_code in (302, 303, 307), (
        f"GET /admin/logout answered {response.status_code}"
    )
    response = admin.get("/admin/book/list")
    assert sent_to_login(response), (
        f"after GET /admin/logout, the book list answered {response.status_code} "
        f"to {path_of(response)!r}, not 302 to /admin/login"
    )


# --- Task 3: no stranger reaches the admin --------------------------------------------------

# The same requests as the parametrized test below (its cases must be written out literally).
STRANGER_REQUESTS = [
    ("GET", "/admin/"),
    ("GET", "/admin/author/list"),
    ("GET", "/admin/book/list"),
    ("GET", "/admin/book/details/{earthsea}"),
    ("GET", "/admin/book/create"),
    ("POST", "/admin/book/create"),
    ("GET", "/admin/book/edit/{earthsea}"),
    ("POST", "/admin/book/edit/{earthsea}"),
    ("DELETE", "/admin/book/delete?pks={earthsea}"),
    ("GET", "/admin/book/export/csv"),
    ("GET", "/admin/book/action/mark-published?pks={earthsea}"),
]


def stranger_request(client, lib, method, path):
    path = path.format(earthsea=lib.ids.earthsea)
    data = {"title": "Hacked", "author": str(lib.ids.butler), "save": "Save"}
    if method == "POST":
        return path, client.post(path, data=data)
    return path, client.request(method, path)


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/admin/"),
        ("GET", "/admin/author/list"),
        ("GET", "/admin/book/list"),
        ("GET", "/admin/book/details/{earthsea}"),
        ("GET", "/admin/book/create"),
        ("POST", "/admin/book/create"),
        ("GET", "/admin/book/edit/{earthsea}"),
        ("POST", "/admin/book/edit/{earthsea}"),
        ("DELETE", "/admin/book/delete?pks={earthsea}"),
        ("GET", "/admin/book/export/csv"),
        ("GET", "/admin/book/action/mark-published?pks={earthsea}"),
    ],
)
@pytest.mark.hint(
    "Pass authentication_backend=AdminAuth(secret_key=secret_key) to Admin, and let "
    "authenticate return True only when the session holds the marker that login stored."
)
def test_a_stranger_is_sent_to_the_login_page(lib, anon, creds, method, path):
    path, response = stranger_request(anon, lib, method, path)
    assert sent_to_login(response), (
        f"{method} {path} without logging in answered {response.status_code}"
        + (f" to {path_of(response)!r}" if "location" in response.headers else "")
        + ", not 302 to /admin/login"
    )


@pytest.mark.task(3)
@pytest.mark.points(4)
def test_a_stranger_changes_nothing(module, lib, anon, creds):
    before = books(module, lib)
    for method, path in STRANGER_REQUESTS:
        stranger_request(anon, lib, method, path)
    after = books(module, lib)
    assert after == before, f"requests without a login changed the books from {before} to {after}"


@pytest.mark.task(3)
@pytest.mark.points(10)
@pytest.mark.hint(
    "Write the marker into request.session only after both the user name and the password "
    "matched; a refused login must leave the session as it was."
)
def test_a_refused_login_grants_nothing(anon, creds):
    response = log_in(anon, password="wrong-password")
    assert response.status_code == 400, (
        f"POST /admin/login with a wrong password answered {response.status_code}, not 400"
    )
    response = anon.get("/admin/book/list")
    assert sent_to_login(response), (
        f"after a refused login, the book list answered {response.status_code}, "
        "not 302 to /admin/login"
    )


@pytest.mark.task(3)
@pytest.mark.points(10)
@pytest.mark.hint("Check both: the user name and the password must each equal their variable.")
def test_user_name_and_password_must_both_match(lib, creds):
    for username, password in ((USER, "not-the-password"), ("someone-else", PASSWORD)):
        client = client_for(lib.app)
        response = log_in(client, username, password)
        assert response.status_code == 400, (
            f"POST /admin/login as {username!r} with the password {password!r} answered "
            f"{response.status_code}, not 400"
        )
        assert sent_to_login(client.get("/admin/book/list")), (
            f"after logging in as {username!r} with the password {password!r}, the book list opens"
        )


@pytest.mark.task(3)
@pytest.mark.points(10)
@pytest.mark.hint(
    "os.environ.get(...) is None for an unset variable; refuse every login when either "
    'variable is None or "": otherwise an empty form field matches an empty default.'
)
def test_no_login_without_configured_credentials(lib, monkeypatch):
    # (ADMIN_USER, ADMIN_PASSWORD, form username, form password); None: the variable is unset
    for user_env, password_env, username, password in (
        (None, None, "", ""),
        (USER, None, USER, ""),
        (USER, "", USER, ""),
        ("", PASSWORD, "", PASSWORD),
    ):
        for name, value in (("ADMIN_USER", user_env), ("ADMIN_PASSWORD", password_env)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        client = client_for(lib.app)
        response = log_in(client, username, password)
        assert response.status_code == 400, (
            f"with ADMIN_USER={user_env!r} and ADMIN_PASSWORD={password_env!r} (None: unset), "
            f"logging in as {username!r} with the password {password!r} answered "
            f"{response.status_code}, not 400"
        )
        assert sent_to_login(client.get("/admin/book/list")), (
            f"with ADMIN_USER={user_env!r} and ADMIN_PASSWORD={password_env!r}, the book list "
            "opens after that login"
        )


@pytest.mark.task(3)
@pytest.mark.points(10)
@pytest.mark.hint(
    "The session cookie is signed, not encrypted: anyone can base64-decode it. Store a marker "
    "(the user name, a flag, a random token), never the password."
)
def test_the_session_cookie_holds_no_password(admin):
    text = cookie_text(admin)
    assert PASSWORD not in text, "the session cookie contains the admin password"


# --- Task 4: the mark_published action ------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.hint(
    '@action("mark_published", label="Mark published") on a method of BookAdmin; sqladmin '
    "serves it at /admin/book/action/mark-published and shows the label on the list page."
)
def test_the_action_is_offered_on_the_list(admin):
    text = get_ok(admin, "/admin/book/list")
    assert "Mark published" in text, 'the page /admin/book/list does not offer "Mark published"'


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Read request.query_params["pks"], split it on ",", update those ids only, commit '
    "(with self.session_maker() as session: ...), then return "
    'RedirectResponse(request.url_for("admin:list", identity="book"), status_code=302).'
)
def test_the_action_marks_exactly_the_selected_books(module, lib, admin):
    first, middle, last = add_books(module, lib, "Dawn", "Adulthood Rites", "Imago")
    response = admin.get(f"/admin/book/action/mark-published?pks={first},{last}")
    assert response.status_code == 302 and path_of(response) == "/admin/book/list", (
        f"the action answered {response.status_code} to {path_of(response)!r}, "
        "not 302 to /admin/book/list"
    )
    got = published(module, lib, [first, middle, last])
    expected = {first: True, middle: False, last: True}
    assert got == expected, f"after marking {first} and {last}, published is {got}"


@pytest.mark.task(4)
@pytest.mark.hint('With no selection, pks is "": skip the empty pieces instead of int("").')
def test_the_action_with_no_selection_changes_nothing(module, lib, admin):
    before = books(module, lib)
    response = admin.get("/admin/book/action/mark-published?pks=")
    assert response.status_code == 302 and path_of(response) == "/admin/book/list", (
        f"the action with empty pks answered {response.status_code} to {path_of(response)!r}, "
        "not 302 to /admin/book/list"
    )
    assert books(module, lib) == before, "the action with empty pks changed books"


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Open the session with `with self.session_maker() as session:` so that it is closed when "
    "the block ends, also on an early return: a session left open keeps a connection of the "
    "engine checked out (one more at each click), and reading a row after commit() checks out "
    "a new one."
)
def test_the_action_closes_its_sessions(module, lib, admin):
    first, second = add_books(module, lib, "Parable of the Sower", "Parable of the Talents")
    for pks in (f"{first},{second}", ""):
        path = f"/admin/book/action/mark-published?pks={pks}"
        with checked_out(lib.engine) as held:
            response = admin.get(path)
            still_held = held[0]
        assert response.status_code == 302, f"GET {path} answered {response.status_code}"
        assert still_held == 0, (
            f"after GET {path} answered, {still_held} connection(s) it took from the engine's "
            "pool were not returned: the action left a session open"
        )
