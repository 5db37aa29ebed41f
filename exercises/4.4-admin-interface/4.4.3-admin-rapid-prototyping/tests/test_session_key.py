"""Hidden tests for 4.4.3: the session cookie is signed with the secret_key given to create_app,
and carries the login by itself: an app with the same key accepts it, also after admin.py is
imported again (a restart). These tests build apps of their own (a view class serves the Admin
that added it last)."""

import pytest
from sqlalchemy.orm import Session

from grader.testing import client_for

USER = "librarian"
PASSWORD = "correct-horse-battery"
KEY = "the-first-key-of-at-least-32-chars!!"
OTHER_KEY = "another-key-of-at-least-32-chars!!!"


@pytest.fixture
def module(learner):
    return learner.require("admin", "Base", "Author", "Book", "create_app")


@pytest.fixture
def engine(module, db_engine, monkeypatch):
    monkeypatch.setenv("ADMIN_USER", USER)
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    engine = db_engine(module.Base.metadata)
    with Session(engine) as session:
        session.add(module.Book(title="Kindred", author=module.Author(name="Octavia Butler")))
        session.commit()
    return engine


def session_cookie(module, engine):
    """The session cookie of a login on an app built with KEY."""
    client = client_for(module.create_app(engine, KEY))
    response = client.post("/admin/login", data={"username": USER, "password": PASSWORD})
    assert response.status_code == 302, f"POST /admin/login answered {response.status_code}"
    cookie = client.cookies.get("session")
    assert cookie, "logging in set no session cookie"
    return cookie


def book_list_with(app, cookie):
    client = client_for(app)
    client.cookies.set("session", cookie)
    return client.get("/admin/book/list")


def export_with(app, cookie):
    """An admin page that renders no template: a new Admin compiles its templates again, which
    costs a quarter of a second per app."""
    client = client_for(app)
    client.cookies.set("session", cookie)
    return client.get("/admin/book/export/csv")


@pytest.mark.task(3)
@pytest.mark.points(10)
@pytest.mark.hint(
    "Build the backend with the key create_app receives: AdminAuth(secret_key=secret_key). A "
    "key written into the code signs the same cookies in every app that uses it."
)
def test_a_cookie_signed_with_another_key_is_refused(module, engine):
    cookie = session_cookie(module, engine)
    response = book_list_with(module.create_app(engine, OTHER_KEY), cookie)
    assert response.status_code == 302, (
        "an app built with another secret_key accepted the session cookie of a login "
        f"(GET /admin/book/list answered {response.status_code})"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Sign the sessions with the secret_key given to create_app and let the signed cookie alone "
    "carry the login: it must survive a restart (a new app with the same key, admin.py imported "
    "again). A random key made per app, or logins kept in memory (a set on AdminAuth or in the "
    "module), lose it."
)
def test_a_login_survives_a_restart(module, engine, learner):
    cookie = session_cookie(module, engine)
    response = export_with(module.create_app(engine, KEY), cookie)
    assert response.status_code == 200, (
        "a second app built by create_app with the same secret_key refused the session cookie of "
        f"a login on the first (GET /admin/book/export/csv answered {response.status_code})"
    )
    restarted = learner.require("admin", "create_app", fresh=True)
    response = export_with(restarted.create_app(engine, KEY), cookie)
    assert response.status_code == 200, (
        "after a restart (admin.py imported again, create_app called with the same secret_key), "
        "the session cookie of a login made before it was refused (GET /admin/book/export/csv "
        f"answered {response.status_code})"
    )
