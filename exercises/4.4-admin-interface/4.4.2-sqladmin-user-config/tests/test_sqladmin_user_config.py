"""Hidden tests for 4.4.2: a UserAdmin configured by class attributes, checked through those
attributes and through a few stable strings of the pages (emails, the hash marker, menu text,
input names), never whole HTML."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from sqladmin import Admin
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.testing import fresh_scalars, looped_client, memory_engine

MARKER = "HASHMARKER123"
START = datetime(2026, 1, 1, tzinfo=UTC)
EMAIL = re.compile(r"[\w.+-]+@example\.com")


def email(i):
    return f"user{i:02d}@example.com"


def created_at(i):
    """Days after START: a permutation of 0..29 that is not the order of the ids."""
    return START + timedelta(days=(i * 7) % 30)


@pytest.fixture(scope="module")
def module(learner):
    return learner.require("admin", "Base", "User", "UserAdmin")


@pytest.fixture(scope="module")
def site(module):
    """The learner's UserAdmin on an app of ours, with 30 users; one app for the module (a view
    class serves the Admin that added it last), its requests on one event loop."""
    engine = memory_engine(module.Base.metadata)
    with Session(engine) as session:
        session.add_all(
            module.User(
                email=email(i),
                hashed_password=f"$argon2id$v=19${MARKER}${i:02d}",
                is_active=i % 4 != 0,
                created_at=created_at(i),
            )
            for i in range(30)
        )
        session.commit()
        first_id = session.scalars(select(module.User.id).order_by(module.User.id)).first()
    app = FastAPI()
    admin = Admin(app, engine)
    admin.add_view(module.UserAdmin)
    with looped_client(app) as client:
        yield SimpleNamespace(engine=engine, client=client, first_id=first_id, pages={})
    engine.dispose()


def fetch(site, path):
    """GET `path` once for the module, shared by the tests that read it (GETs change nothing;
    the tests that write forget every page first)."""
    if path not in site.pages:
        site.pages[path] = site.client.get(path)
    return site.pages[path]


def get(site, path, status=200):
    response = fetch(site, path)
    assert response.status_code == status, f"GET {path} answered {response.status_code}"
    return response.text


def emails(text):
    """The users' emails on a page, in order of first appearance."""
    return list(dict.fromkeys(EMAIL.findall(text)))


def stored_emails(module, site, order=None, limit=None):
    """Emails as the database orders them (the create test may have added one user)."""
    statement = select(module.User.email)
    if order is not None:
        statement = statement.order_by(order)
    return fresh_scalars(site.engine, statement.limit(limit))


def names(items):
    return [item if isinstance(item, str) else getattr(item, "key", repr(item)) for item in items]


def attribute(module, name):
    return getattr(module.UserAdmin, name, None)


def form_fields(text):
    found = re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', text)
    return sorted(set(found) - {"save"})


# --- Task 1: the list page -------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    'Class attributes of UserAdmin: name = "Account", name_plural = "Accounts", '
    'icon = "fa-solid fa-user", page_size = 25.'
)
def test_names_icon_and_page_size(module):
    got = {key: attribute(module, key) for key in ("name", "name_plural", "icon", "page_size")}
    expected = {
        "name": "Account",
        "name_plural": "Accounts",
        "icon": "fa-solid fa-user",
        "page_size": 25,
    }
    assert got == expected, f"UserAdmin sets {got}"


@pytest.mark.task(1)
def test_menu_shows_accounts_with_the_icon(site):
    text = get(site, "/admin/")
    entries = re.findall(r'href="[^"]*/admin/user/list"[^>]*>(.*?)</a>', text, re.DOTALL)
    assert entries, "the admin menu has no link to /admin/user/list"
    entry = entries[0]
    assert re.search(r">\s*Accounts\s*<", entry), (
        f"the menu entry of the users does not read Accounts: {' '.join(entry.split())[:200]}"
    )
    assert 'class="fa-solid fa-user"' in entry, (
        f"the menu entry of the users has no fa-solid fa-user icon: {' '.join(entry.split())[:200]}"
    )
    assert "New Account" in get(site, "/admin/user/create"), (
        'the page /admin/user/create does not say "New Account"'
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "column_list = [User.id, User.email, User.is_active, User.created_at]; setting "
    "column_exclude_list as well makes sqladmin raise AssertionError."
)
def test_column_list(module):
    got = names(attribute(module, "column_list") or [])
    assert got == ["id", "email", "is_active", "created_at"], (
        f"UserAdmin.column_list names {got}, expected ['id', 'email', 'is_active', 'created_at']"
    )
    assert not attribute(module, "column_exclude_list"), (
        "UserAdmin sets column_exclude_list as well as column_list"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint("page_size = 25: the list shows 25 rows per page (sqladmin's default is 10).")
def test_list_pages_hold_25_users(module, site):
    first = emails(get(site, "/admin/user/list"))
    second = emails(get(site, "/admin/user/list?page=2"))
    stored = stored_emails(module, site)
    assert len(first) == 25, f"the first list page shows {len(first)} of the {len(stored)} users"
    rest = sorted(set(stored) - set(first))
    assert sorted(second) == rest, (
        f"the second list page shows {sorted(second)}, expected the other users {rest}"
    )


# --- Task 2: the hash stays out of the admin ------------------------------------------------


HASH_PAGES = (
    "/admin/user/list",
    "/admin/user/details/{id}",
    "/admin/user/edit/{id}",
    "/admin/user/create",
    "/admin/user/export/csv",
    "/admin/user/export/json",
)


@pytest.mark.task(2)
@pytest.mark.points(6)
@pytest.mark.hint(
    "The list shows column_list, the details page every column unless "
    "column_details_exclude_list = [User.hashed_password], and the forms every column unless "
    "form_excluded_columns names it."
)
def test_no_page_shows_the_hash(site):
    leaking = []
    for page in HASH_PAGES:
        path = page.format(id=site.first_id)
        if MARKER in fetch(site, path).text:
            leaking.append(path)
    assert not leaking, f"these admin pages show the password hash ({MARKER}): {leaking}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "Keep the pages: the details page, the forms and the exports still answer 200, only "
    "without the hash (can_view_details, can_edit and can_export stay True)."
)
def test_the_pages_still_answer(site):
    failing = []
    for page in HASH_PAGES:
        path = page.format(id=site.first_id)
        status = fetch(site, path).status_code
        if status != 200:
            failing.append(f"GET {path} answered {status}")
    assert not failing, "; ".join(failing)


@pytest.mark.task(2)
@pytest.mark.hint("Only User.email is searchable: a hash column in the search list leaks it.")
def test_searching_for_a_hash_finds_no_one(site):
    found = emails(get(site, f"/admin/user/list?search={MARKER}"))
    assert not found, f"searching the list for {MARKER} lists {found}"


# --- Task 3: search and sort -----------------------------------------------------------------


@pytest.mark.task(3)
def test_searchable_and_sortable_columns(module):
    searchable = set(names(attribute(module, "column_searchable_list") or []))
    sortable = set(names(attribute(module, "column_sortable_list") or []))
    assert searchable == {"email"}, (
        f"UserAdmin.column_searchable_list names {sorted(searchable)}, expected ['email']"
    )
    assert sortable == {"email", "created_at"}, (
        f"UserAdmin.column_sortable_list names {sorted(sortable)}, expected ['created_at', 'email']"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "column_searchable_list = [User.email]. Without a searchable column, sqladmin's search "
    "matches nothing."
)
def test_search_lists_only_matching_emails(site):
    found = emails(get(site, "/admin/user/list?search=user07"))
    assert found == [email(7)], f"searching the list for user07 lists {found}"
    found = sorted(emails(get(site, "/admin/user/list?search=USER1")))
    expected = [email(i) for i in range(10, 20)]
    assert found == expected, f"searching the list for USER1 lists {found}"


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_sort_by_created_at_newest_first(module, site):
    expected = stored_emails(module, site, module.User.created_at.desc(), 25)
    got = emails(get(site, "/admin/user/list?sortBy=created_at&sort=desc"))
    assert got == expected, (
        f"sorted by created_at descending, the list starts {got[:5]}, expected {expected[:5]}"
    )


@pytest.mark.task(3)
def test_sort_by_email(module, site):
    got = emails(get(site, "/admin/user/list?sortBy=email&sort=desc"))
    expected = stored_emails(module, site, module.User.email.desc(), 25)
    assert got == expected, (
        f"sorted by email descending, the list starts {got[:5]}, expected {expected[:5]}"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize("column", ["id", "is_active", "hashed_password"])
@pytest.mark.hint("column_sortable_list = [User.email, User.created_at], nothing else.")
def test_other_columns_are_not_sortable(site, column):
    get(site, f"/admin/user/list?sortBy={column}", status=400)


# --- Task 4: the forms and deletion --------------------------------------------------------


@pytest.mark.task(4)
def test_form_excluded_columns(module):
    got = set(names(attribute(module, "form_excluded_columns") or []))
    assert got == {"hashed_password", "created_at"}, (
        f"UserAdmin.form_excluded_columns names {sorted(got)}, expected "
        "['created_at', 'hashed_password']"
    )


@pytest.mark.task(4)
@pytest.mark.parametrize("page", ["/admin/user/create", "/admin/user/edit/{id}"])
@pytest.mark.hint(
    "form_excluded_columns = [User.hashed_password, User.created_at] leaves email and "
    "is_active in the forms."
)
def test_forms_have_email_and_is_active_only(site, page):
    path = page.format(id=site.first_id)
    got = form_fields(get(site, path))
    assert got == ["email", "is_active"], f"the form at {path} has the fields {got}"


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A column left out of the form is ignored when the form is posted; created_at then comes "
    "from the model's default."
)
def test_created_user_gets_no_hash_and_a_default_created_at(module, site):
    site.pages.clear()
    response = site.client.post(
        "/admin/user/create",
        data={
            "email": "zed@example.com",
            "is_active": "y",
            "hashed_password": "posted-hash",
            "created_at": "2000-01-01 00:00:00",
            "save": "Save",
        },
    )
    assert response.status_code == 302, (
        f"POST /admin/user/create answered {response.status_code}, not 302"
    )
    users = fresh_scalars(
        site.engine, select(module.User).where(module.User.email == "zed@example.com")
    )
    assert len(users) == 1, f"after the POST, {len(users)} users have the email zed@example.com"
    user = users[0]
    assert user.hashed_password is None, (
        f"the user created through the form has the hash {user.hashed_password!r}"
    )
    assert user.is_active is True, (
        f"the user created with is_active=y has is_active {user.is_active!r}"
    )
    assert user.created_at is not None and user.created_at.year != 2000, (
        f"the user created through the form has created_at {user.created_at!r}"
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint("can_delete = False: sqladmin then answers 403 to a delete request.")
def test_users_cannot_be_deleted(module, site):
    assert attribute(module, "can_delete") is False, (
        f"UserAdmin.can_delete is {attribute(module, 'can_delete')!r}"
    )
    site.pages.clear()
    response = site.client.delete(f"/admin/user/delete?pks={site.first_id}")
    assert response.status_code == 403, (
        f"DELETE /admin/user/delete?pks={site.first_id} answered {response.status_code}, not 403"
    )
    left = fresh_scalars(site.engine, select(module.User.id).where(module.User.id == site.first_id))
    assert left == [site.first_id], "after the delete request, the user is gone"
