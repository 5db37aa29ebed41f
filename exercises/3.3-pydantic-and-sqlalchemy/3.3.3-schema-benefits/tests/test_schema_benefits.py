from datetime import UTC, datetime

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher
from pydantic import ValidationError
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from grader import testing

PASSWORD = "correct-horse-42"
ADA = {"email": "ada@example.com", "password": PASSWORD}


class RecordingHash(PasswordHash):
    """A pwdlib PasswordHash at the cheapest Argon2 cost (one pass over 8 KiB, the least
    Argon2 takes) that records what it hashed."""

    def __init__(self):
        super().__init__((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))
        self.hashed: list[str] = []

    def hash(self, password, *args, **kwargs):
        made = super().hash(password, *args, **kwargs)
        self.hashed.append(made)
        return made


# The prompt names `password_hash` as the seam: the tests swap in the cheapest Argon2 parameters
# so that hashing takes some hundredths of a millisecond instead of a fifth of a second.
FAST = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))
# Verifies any hash pwdlib makes (Argon2 with any parameters, or bcrypt).
VERIFY = PasswordHash((Argon2Hasher(), BcryptHasher()))


@pytest.fixture
def hasher():
    return RecordingHash()


@pytest.fixture
def main(learner, monkeypatch, hasher):
    main = learner.require("main", "app", "get_db", "Base", "User")
    monkeypatch.setattr(main, "password_hash", hasher, raising=False)
    return main


@pytest.fixture
def UserCreate(learner):
    return learner.require("main", "UserCreate").UserCreate


@pytest.fixture
def UserRead(learner):
    return learner.require("main", "UserRead").UserRead


@pytest.fixture
def UserUpdate(learner):
    return learner.require("main", "UserUpdate").UserUpdate


@pytest.fixture(scope="module")
def module_engine(learner):
    """One in-memory database with the learner's tables for the module (one connection for all
    threads, foreign keys on): a new engine per test would also compile every statement again,
    since SQLAlchemy caches compiled SQL per engine."""
    main = learner.require("main", "app", "get_db", "Base", "User")
    engine = testing.memory_engine(main.Base.metadata)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def module_client(learner, module_engine):
    """The learner's app for the module, with get_db overridden to hand out sessions on the
    module's database; its requests run on one event loop."""
    main = learner.require("main", "app", "get_db", "Base", "User")
    with testing.overridden_db(main.app, main.get_db, module_engine):
        with testing.looped_client(main.app) as client:
            yield client


@pytest.fixture
def engine(main, module_engine):
    """The module's database, emptied for this test (ids start from 1 again) and answering
    unordered SELECTs in table order."""
    testing.empty_database(module_engine, main.Base.metadata)
    return module_engine


@pytest.fixture
def client(main, engine, module_client):
    """The learner's app on the test database (emptied for this test)."""
    return module_client


def add_user(main, engine, email="grace@example.com", password="grace-password"):
    """Stores a user straight through the ORM; returns its id."""
    with Session(engine) as session:
        user = main.User(email=email, hashed_password=FAST.hash(password))
        session.add(user)
        session.commit()
        return user.id


def rows(main, engine):
    """Every stored user as a dict, read through a fresh session."""
    with Session(engine) as session:
        users = session.scalars(select(main.User).order_by(main.User.id)).all()
        return [
            {
                "id": u.id,
                "email": u.email,
                "hashed_password": u.hashed_password,
                "is_admin": u.is_admin,
                "created_at": u.created_at,
            }
            for u in users
        ]


def user_count(main, engine):
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(main.User))


def refused(model, data):
    try:
        model.model_validate(data)
    except ValidationError:
        return True
    return False


def check_public(body, where):
    """The answer is exactly a UserRead."""
    assert isinstance(body, dict) and set(body) == {"id", "email", "created_at"}, (
        f"{where} answered {body!r}: expected exactly the keys id, email, created_at"
    )


# --- Task 1: the schemas ------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "`email: EmailStr` and `password: SecretStr = Field(min_length=8)`; read the password "
    "with `.get_secret_value()`."
)
def test_user_create_accepts_a_valid_user(UserCreate):
    try:
        user = UserCreate.model_validate(ADA)
    except ValidationError as exc:
        raise AssertionError(f"UserCreate refused {ADA}: {exc}") from None
    assert user.email == "ada@example.com", f"UserCreate kept the email {user.email!r}"
    secret = getattr(user.password, "get_secret_value", None)
    assert callable(secret) and secret() == PASSWORD, (
        f"UserCreate.password is {type(user.password).__name__}, not a SecretStr holding the "
        "password"
    )


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.parametrize(
    "case", ["is_admin", "hashed_password", "id", "bad email", "short password", "no password"]
)
@pytest.mark.hint(
    "UserCreate lists only what a client may choose. With "
    '`model_config = ConfigDict(extra="forbid")` any other key, such as is_admin, is an error '
    "instead of being silently dropped (or copied onto the row). EmailStr checks the address, "
    "Field(min_length=8) the password."
)
def test_user_create_refuses(UserCreate, case):
    data = {
        "is_admin": {**ADA, "is_admin": True},
        "hashed_password": {**ADA, "hashed_password": "x"},
        "id": {**ADA, "id": 1},
        "bad email": {**ADA, "email": "not-an-email"},
        "short password": {**ADA, "password": "short"},
        "no password": {"email": "ada@example.com"},
    }[case]
    assert refused(UserCreate, data), f"UserCreate accepted {data}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Type the password as `SecretStr`: its repr, str() and JSON show '**********', so a log "
    "line or a traceback that prints the model doesn't leak it."
)
def test_the_password_is_masked(UserCreate):
    user = UserCreate.model_validate(ADA)
    assert getattr(user, "password", None) is not None, "UserCreate has no password field"
    for how, text in (
        ("repr()", repr(user)),
        ("str()", str(user)),
        ("model_dump_json()", user.model_dump_json()),
    ):
        assert PASSWORD not in text, f"{how} of a UserCreate shows the password: {text}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "UserRead lists only what a client may see, `id, email, created_at`, and reads ORM objects "
    "(`model_config = ConfigDict(from_attributes=True)`). Leave hashed_password and is_admin out."
)
def test_user_read_shows_only_public_fields(main, UserRead):
    created = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    user = main.User(
        id=7,
        email="ada@example.com",
        hashed_password=FAST.hash(PASSWORD),
        is_admin=True,
        created_at=created,
    )
    try:
        data = UserRead.model_validate(user).model_dump()
    except ValidationError as exc:
        raise AssertionError(f"UserRead.model_validate(<a User>) failed: {exc}") from None
    assert data == {"id": 7, "email": "ada@example.com", "created_at": created}, (
        f"UserRead.model_validate(<a User>).model_dump() is {data}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "UserUpdate's password is a `SecretStr | None` too, with the same `min_length=8`: a new "
    "password must not show in the repr, str() or JSON of the update either."
)
def test_an_updated_password_is_masked_too(UserUpdate):
    try:
        update = UserUpdate.model_validate({"password": PASSWORD})
    except ValidationError as exc:
        raise AssertionError(
            f"UserUpdate refused a {len(PASSWORD)}-character password: {exc}"
        ) from None
    secret = getattr(getattr(update, "password", None), "get_secret_value", None)
    assert callable(secret) and secret() == PASSWORD, (
        f"UserUpdate.password is {type(getattr(update, 'password', None)).__name__}, not a "
        "SecretStr holding the password"
    )
    for how, text in (
        ("repr()", repr(update)),
        ("str()", str(update)),
        ("model_dump_json()", update.model_dump_json()),
    ):
        assert PASSWORD not in text, f"{how} of a UserUpdate shows the password: {text}"


@pytest.mark.task(1)
@pytest.mark.parametrize("schema", ["UserCreate", "UserUpdate"])
@pytest.mark.hint(
    "At least 8 characters means 8 is enough: `Field(min_length=8)`, not 9 and not a check "
    "with `>`."
)
def test_an_eight_character_password_is_enough(learner, schema):
    model = getattr(learner.require("main", schema), schema)
    data = {"password": "8-chars!"} if schema == "UserUpdate" else {**ADA, "password": "8-chars!"}
    try:
        model.model_validate(data)
    except ValidationError as exc:
        raise AssertionError(
            f"{schema} refused the 8-character password '8-chars!': {exc}"
        ) from None


@pytest.mark.task(1)
@pytest.mark.hint(
    "Give both fields a default of None: `email: EmailStr | None = None`. "
    "`model_dump(exclude_unset=True)` then holds only the fields the client sent."
)
def test_user_update_fields_are_optional(UserUpdate):
    for data in ({}, {"email": "ada@example.com"}):
        try:
            sent = UserUpdate.model_validate(data).model_dump(exclude_unset=True)
        except ValidationError as exc:
            raise AssertionError(f"UserUpdate refused {data}: {exc}") from None
        assert sent == data, f"UserUpdate({data}).model_dump(exclude_unset=True) is {sent}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    "case", ["is_admin", "bad email", "short password", "null email", "null password"]
)
@pytest.mark.hint(
    'UserUpdate has the rules of UserCreate and extra="forbid". Left out is fine, null is '
    "not: a `field_validator` that raises for None rejects an explicit null (validators don't "
    "run for defaults)."
)
def test_user_update_refuses(UserUpdate, case):
    data = {
        "is_admin": {"is_admin": True},
        "bad email": {"email": "not-an-email"},
        "short password": {"password": "short"},
        "null email": {"email": None},
        "null password": {"password": None},
    }[case]
    assert refused(UserUpdate, data), f"UserUpdate accepted {data}"


# --- Task 2: POST /users and GET /users/{id} ----------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Store `User(email=payload.email, hashed_password=password_hash.hash("
    "payload.password.get_secret_value()))`, commit, and answer with "
    "`response_model=UserRead, status_code=201`."
)
def test_post_stores_a_hashed_password(main, engine, client):
    response = client.post("/users", json=ADA)
    assert response.status_code == 201, (
        f"POST /users answered {response.status_code}, not 201: {response.text[:200]}"
    )
    stored = rows(main, engine)
    assert len(stored) == 1 and stored[0]["email"] == "ada@example.com", (
        f"after POST /users a fresh session sees {stored}"
    )
    user = stored[0]
    assert PASSWORD not in user["hashed_password"], (
        f"the password is stored readable: hashed_password={user['hashed_password']!r}"
    )
    assert VERIFY.verify(PASSWORD, user["hashed_password"]), (
        f"hashed_password {user['hashed_password'][:40]!r}... is not a pwdlib hash of the password"
    )
    assert user["is_admin"] is False, "a new user was stored as an admin"
    body = response.json()
    check_public(body, "POST /users")
    assert (body["id"], body["email"]) == (user["id"], "ada@example.com"), (
        f"POST /users answered {body}, the stored row has id {user['id']}"
    )
    try:
        datetime.fromisoformat(body["created_at"])
    except (TypeError, ValueError):
        raise AssertionError(f"created_at is {body['created_at']!r}, not a datetime") from None


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Put `response_model=UserRead` on every route that answers a user: FastAPI then sends only "
    "its fields, whatever the handler returns."
)
def test_responses_never_show_the_hash(main, engine, client):
    created = client.post("/users", json=ADA)
    assert created.status_code == 201, f"POST /users answered {created.status_code}"
    user = rows(main, engine)[0]
    read = client.get(f"/users/{user['id']}")
    assert read.status_code == 200, f"GET /users/{user['id']} answered {read.status_code}"
    for where, response in (("POST /users", created), (f"GET /users/{user['id']}", read)):
        text = response.text
        assert user["hashed_password"] not in text and PASSWORD not in text, (
            f"{where} shows the password or its hash: {text[:300]}"
        )
        check_public(response.json(), where)


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.parametrize("key", ["is_admin", "hashed_password", "created_at"])
@pytest.mark.hint(
    "Mass assignment: a body that sets is_admin must not make an admin. The body is a "
    'UserCreate with `extra="forbid"`, so FastAPI answers 422 before your code runs.'
)
def test_post_with_a_private_field_is_422(main, engine, client, key):
    value = {"is_admin": True, "hashed_password": "x", "created_at": "2000-01-01T00:00:00"}[key]
    payload = {**ADA, key: value}
    response = client.post("/users", json=payload)
    assert response.status_code == 422, (
        f"POST /users with {key}={value!r} answered {response.status_code}, not 422 "
        f"(stored: {rows(main, engine)})"
    )
    assert user_count(main, engine) == 0, "the refused body still stored a user"


@pytest.mark.task(2)
@pytest.mark.parametrize("case", ["bad email", "short password"])
def test_post_with_a_bad_email_or_password_is_422(main, engine, client, case):
    payload = (
        {**ADA, "email": "ada.example.com"}
        if case == "bad email"
        else {**ADA, "password": "1234567"}
    )
    response = client.post("/users", json=payload)
    assert response.status_code == 422, (
        f"POST /users with a {case} answered {response.status_code}, not 422"
    )
    assert user_count(main, engine) == 0, f"a {case} still stored a user"


@pytest.mark.task(2)
@pytest.mark.hint(
    "email is unique in the table: catch IntegrityError around the commit, `db.rollback()`, "
    "and raise HTTPException(409)."
)
def test_a_taken_email_is_409(main, engine, client):
    add_user(main, engine, email="ada@example.com")
    response = client.post("/users", json=ADA)
    assert response.status_code == 409, (
        f"POST /users with a taken email answered {response.status_code}, not 409"
    )
    assert user_count(main, engine) == 1


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Checking for the email with a SELECT first is not enough: another request can store it "
    "between your check and your INSERT. The unique column decides; catch its IntegrityError "
    "around the commit, roll back and answer 409."
)
def test_a_taken_email_only_the_database_sees_is_409(main, engine, client):
    table = main.User.__table__
    raced = []

    def another_request_stores_it_first(conn, clauseelement, multiparams, params, options):
        if raced or getattr(clauseelement, "table", None) is not table:
            return
        if getattr(clauseelement, "is_insert", False):
            raced.append(True)  # the same email, stored just before this request's INSERT
            conn.execute(
                insert(table).values(email=ADA["email"], hashed_password=FAST.hash("x" * 8))
            )

    event.listen(engine, "before_execute", another_request_stores_it_first)
    try:
        response = client.post("/users", json=ADA)
    finally:
        event.remove(engine, "before_execute", another_request_stores_it_first)
    assert raced, f"POST /users answered {response.status_code} without inserting a row"
    assert response.status_code == 409, (
        "when another request stored the same email just before this one's INSERT, POST /users "
        f"answered {response.status_code}, not 409: {response.text[:200]}"
    )
    after = client.post("/users", json={**ADA, "email": "grace@example.com"})
    assert after.status_code == 201, (
        f"the next POST /users after that conflict answered {after.status_code}: {after.text[:200]}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Call `password_hash.hash(...)` inside the handler, through the module-level name: a "
    "reference taken when main.py is imported (`hash_password = password_hash.hash`) keeps "
    "the old hasher when the name is given a new one."
)
def test_post_hashes_through_password_hash_at_call_time(main, engine, client, hasher):
    response = client.post("/users", json=ADA)
    assert response.status_code == 201, (
        f"POST /users answered {response.status_code}: {response.text[:200]}"
    )
    stored = [user["hashed_password"] for user in rows(main, engine)]
    assert stored and stored[0] in hasher.hashed, (
        "the tests set main.password_hash to a hasher of their own before the request, yet the "
        f"stored hash was not made by it ({len(hasher.hashed)} hashes made by it)"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "`GET /users/{user_id}` with `response_model=UserRead`; `session.get(User, user_id)` is None "
    "for an unknown id: raise HTTPException(404)."
)
def test_get_user_and_unknown_user(main, engine, client):
    user_id = add_user(main, engine)
    response = client.get(f"/users/{user_id}")
    assert response.status_code == 200, (
        f"GET /users/{user_id} answered {response.status_code}: {response.text[:200]}"
    )
    check_public(response.json(), f"GET /users/{user_id}")
    assert response.json()["email"] == "grace@example.com", f"GET answered {response.json()}"
    missing = client.get(f"/users/{user_id + 100}")
    assert missing.status_code == 404, (
        f"GET /users/{user_id + 100} (no such user) answered {missing.status_code}, not 404"
    )


# --- Task 3: PATCH /users/{id} ------------------------------------------------------------


def patch(client, user_id, payload):
    return client.patch(f"/users/{user_id}", json=payload)


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Apply only what was sent: `patch.model_dump(exclude_unset=True)`. A plain model_dump() "
    "also holds password=None, and the stored hash must not change when no password is sent."
)
def test_patching_the_email_keeps_the_hash(main, engine, client):
    user_id = add_user(main, engine)
    before = rows(main, engine)[0]
    response = patch(client, user_id, {"email": "grace.hopper@example.com"})
    assert response.status_code == 200, (
        f"PATCH with only an email answered {response.status_code}: {response.text[:200]}"
    )
    check_public(response.json(), "PATCH /users/{id}")
    after = rows(main, engine)[0]
    assert after["email"] == "grace.hopper@example.com", f"the stored email is {after['email']!r}"
    assert after["hashed_password"] == before["hashed_password"], (
        "PATCHing only the email changed the stored password hash"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "A new password is hashed like in POST: "
    "`user.hashed_password = password_hash.hash(new.get_secret_value())`; the fields not sent "
    "stay as they are."
)
def test_patching_the_password_rehashes_and_keeps_the_email(main, engine, client):
    user_id = add_user(main, engine)
    before = rows(main, engine)[0]
    response = patch(client, user_id, {"password": "a-brand-new-one"})
    assert response.status_code == 200, (
        f"PATCH with only a password answered {response.status_code}: {response.text[:200]}"
    )
    after = rows(main, engine)[0]
    assert after["email"] == before["email"], (
        f"PATCHing only the password changed the email to {after['email']!r}"
    )
    assert "a-brand-new-one" not in after["hashed_password"], "the new password is stored readable"
    assert VERIFY.verify("a-brand-new-one", after["hashed_password"]), (
        "after PATCHing the password, the stored hash does not match the new password"
    )


@pytest.mark.task(3)
def test_an_empty_patch_changes_nothing(main, engine, client):
    user_id = add_user(main, engine)
    before = rows(main, engine)
    response = patch(client, user_id, {})
    assert response.status_code == 200, f"PATCH with {{}} answered {response.status_code}"
    assert rows(main, engine) == before, "PATCH with {} changed the stored user"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("case", ["is_admin", "null email", "null password"])
@pytest.mark.hint(
    'The body is a UserUpdate: extra="forbid" refuses is_admin, and the not-null validator '
    "refuses an explicit null, both with 422 before your code runs."
)
def test_a_refused_patch_is_422_and_changes_nothing(main, engine, client, case):
    payload = {"is_admin": {"is_admin": True}, "null email": {"email": None}}.get(
        case, {"password": None}
    )
    user_id = add_user(main, engine)
    before = rows(main, engine)
    response = patch(client, user_id, payload)
    assert response.status_code == 422, (
        f"PATCH with {payload} answered {response.status_code}, not 422"
    )
    assert rows(main, engine) == before, f"PATCH with {payload} changed the stored user"


@pytest.mark.task(3)
@pytest.mark.hint("`session.get(User, user_id)` is None for an unknown id: raise a 404.")
def test_patching_an_unknown_user_is_404(main, engine, client):
    user_id = add_user(main, engine)
    known = patch(client, user_id, {})
    assert known.status_code == 200, (
        f"PATCH /users/{user_id} with {{}} answered {known.status_code}"
    )
    response = patch(client, user_id + 100, {"email": "new@example.com"})
    assert response.status_code == 404, (
        f"PATCH /users/{user_id + 100} (no such user) answered {response.status_code}, not 404"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "The unique email makes the commit raise IntegrityError: roll back and answer 409, as in POST."
)
def test_patching_to_a_taken_email_is_409(main, engine, client):
    user_id = add_user(main, engine)
    add_user(main, engine, email="ada@example.com")
    response = patch(client, user_id, {"email": "ada@example.com"})
    assert response.status_code == 409, (
        f"PATCH to an email another user has answered {response.status_code}, not 409"
    )
    emails = [u["email"] for u in rows(main, engine)]
    assert emails == ["grace@example.com", "ada@example.com"], (
        f"after the refused PATCH the stored emails are {emails}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Only an email *another* user has is a conflict. A PATCH that sends the user's own email "
    "again (a form that sends every field) is not: if you look the email up before the commit, "
    "leave out the user being patched (`User.id != user_id`), or let the unique constraint "
    "decide at the commit."
)
def test_patching_to_the_users_own_email_is_200(main, engine, client):
    user_id = add_user(main, engine)
    before = rows(main, engine)[0]
    response = patch(client, user_id, {"email": before["email"], "password": "a-brand-new-one"})
    assert response.status_code == 200, (
        f"PATCH sending the user's own email {before['email']!r} with a new password answered "
        f"{response.status_code}, not 200: {response.text[:200]}"
    )
    after = rows(main, engine)[0]
    assert after["email"] == before["email"], f"the stored email is now {after['email']!r}"
    assert VERIFY.verify("a-brand-new-one", after["hashed_password"]), (
        "after PATCHing the user's own email and a new password, the stored hash does not "
        "match the new password"
    )
