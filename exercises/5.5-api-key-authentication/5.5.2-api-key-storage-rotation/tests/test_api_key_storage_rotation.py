"""Hidden tests for 5.5.2: a KeyStore that keeps only the prefix and the digest of each key,
verifies by prefix with compare_digest, and rotates and revokes on an injected clock.

Each test gets its own in-memory database with the learner's tables and a KeyStore on the kit's
fake clock; time moves only by `clock.advance`. Leaks are looked for in every row of every table
(reflected, so any column layout is read) and in every attribute of the KeyStore."""

import base64
import hashlib
import hmac
import logging
import random
import re
import secrets
from datetime import timedelta

import pytest

KEY = re.compile(r"ak_([A-Za-z0-9_-]{8,64})\.([A-Za-z0-9_-]{32,128})")
HOUR = 3600


@pytest.fixture
def keystore(learner):
    return learner.require("keystore", "Base", "KeyStore")


@pytest.fixture
def engine(keystore, db_engine):
    return db_engine(keystore.Base.metadata)


@pytest.fixture
def store(keystore, engine, clock):
    return keystore.KeyStore(engine, clock)


def split(key, where="create_key"):
    """(prefix, secret) of a key, or a failure saying what came back."""
    assert isinstance(key, str), f"{where} returned {key!r}, not a str"
    match = KEY.fullmatch(key)
    assert match, (
        f"{where} returned {key!r}, not ak_<prefix>.<secret> (prefix: 8-64 characters, "
        "secret: 32-128 characters, both among A-Z a-z 0-9 _ -)"
    )
    return match.group(1), match.group(2)


def created(store, owner="reports-app"):
    key = store.create_key(owner)
    prefix, secret = split(key)
    return key, prefix, secret


def verified(store, key):
    try:
        return store.verify(key)
    except Exception as exc:  # noqa: BLE001 - reported as what the learner sees
        pytest.fail(f"verify({key!r}) raised {type(exc).__name__}: {exc}")


def rotated(store, prefix, grace):
    try:
        key = store.rotate(prefix, grace)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"rotate({prefix!r}, {grace!r}) raised {type(exc).__name__}: {exc}")
    split(key, where=f"rotate({prefix!r}, {grace!r})")
    return key


def tables(engine):
    from sqlalchemy import MetaData

    meta = MetaData()
    meta.reflect(engine)
    return meta


def stored_cells(engine):
    """(table, column, value) of every cell of every table."""
    from sqlalchemy import select

    meta = tables(engine)
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    yield table.name, column.name, value


def row_count(engine, table_name="api_keys"):
    from sqlalchemy import func, select

    table = tables(engine).tables[table_name]
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def disguises(secret, key):
    """The secret and the key as they might sit in a column: in clear or merely encoded."""
    forms = {}
    for name, text in (("the secret", secret), ("the whole key", key)):
        raw = text.encode()
        forms[f"{name}"] = text
        forms[f"{name} in hex"] = raw.hex()
        forms[f"{name} in base64"] = base64.b64encode(raw).decode().rstrip("=")
        forms[f"{name} in base64url"] = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return forms


def shows_part_of_secret(text, secret, size=10):
    """Whether text holds any 10 characters in a row of the secret."""
    return any(secret[i : i + size] in text for i in range(len(secret) - size + 1))


def found_in(value, text):
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return text.encode() in raw or text in raw.decode("latin-1")
    return value is not None and text in str(value)


def walk(value, seen, depth=0):
    """Every str or bytes reachable from value through containers and instance attributes."""
    if depth > 5 or id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, str | bytes | bytearray):
        yield value
    elif isinstance(value, dict):
        for k, v in list(value.items()):
            yield from walk(k, seen, depth + 1)
            yield from walk(v, seen, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in list(value):
            yield from walk(item, seen, depth + 1)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        module = type(value).__module__ or ""
        if module.split(".")[0] in {"sqlalchemy", "grader", "builtins"}:
            return
        for item in list(vars(value).values()):
            yield from walk(item, seen, depth + 1)


@pytest.fixture
def digest_calls(keystore, monkeypatch):
    original = hmac.compare_digest
    calls = []

    def watched(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", watched)
    monkeypatch.setattr(secrets, "compare_digest", watched)
    for name, value in list(vars(keystore).items()):
        if value is original or value is secrets.compare_digest:
            monkeypatch.setattr(keystore, name, watched)
    return calls


# --- Task 1: create_key -------------------------------------------------------------------


@pytest.mark.task(1)
def test_create_key_returns_ak_prefix_dot_secret(store):
    created(store)


@pytest.mark.task(1)
@pytest.mark.hint(
    "A new prefix and a new secret for every key: `secrets.token_hex(6)` and "
    "`secrets.token_urlsafe(32)` at each call."
)
def test_every_key_is_new(store):
    keys = [created(store, owner) for owner in ("reports-app", "reports-app", "billing-app")]
    prefixes = [prefix for _, prefix, _ in keys]
    secrets_ = [secret for _, _, secret in keys]
    assert len(set(prefixes)) == 3 and len(set(secrets_)) == 3, (
        f"three create_key calls gave the prefixes {prefixes} and the secrets {secrets_}"
    )


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Make the secret with `secrets.token_urlsafe(32)`: `random` is a predictable generator "
    "(seed it, or see enough of its output, and you know every key it will make)."
)
def test_secret_comes_from_secrets_not_random(keystore, db_engine, clock):
    state = random.getstate()
    try:
        made = []
        for _ in range(2):
            store = keystore.KeyStore(db_engine(keystore.Base.metadata), clock)
            random.seed(20260101)
            made.append(created(store)[2])
    finally:
        random.setstate(state)
    assert made[0] != made[1], (
        f"after random.seed(20260101), create_key made the secret {made[0]!r} both times: "
        "the secret comes from `random`, so it can be predicted"
    )


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Store only `hashlib.sha256(secret.encode()).hexdigest()` next to the prefix and the "
    "owner; no column for the secret or the key, not even encoded (hex or base64 can be "
    "decoded)."
)
def test_no_column_holds_a_secret(store, engine):
    issued = [created(store, "reports-app"), created(store, "billing-app")]
    new_key = rotated(store, issued[0][1], timedelta(hours=1))
    issued.append((new_key, *split(new_key)))
    leaks = []
    for table, column, value in stored_cells(engine):
        for key, _, secret in issued:
            for form, text in disguises(secret, key).items():
                if found_in(value, text):
                    leaks.append(f"{table}.{column} holds {form}")
    assert not leaks, "the database keeps what it must not: " + "; ".join(sorted(set(leaks)))


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Make the prefix on its own (`secrets.token_hex(6)`), never from the secret: the prefix is "
    "stored in clear and shown in dashboards and logs, so a piece of the secret in it is a "
    "piece of the secret in clear."
)
def test_no_column_holds_part_of_a_secret(store, engine):
    issued = [created(store, "reports-app"), created(store, "billing-app")]
    new_key = rotated(store, issued[0][1], timedelta(hours=1))
    issued.append((new_key, *split(new_key)))
    leaks = []
    for table, column, value in stored_cells(engine):
        if isinstance(value, bytes | bytearray | memoryview):
            value = bytes(value).decode("latin-1")
        for key, _, secret in issued:
            if value is not None and shows_part_of_secret(str(value), secret):
                leaks.append(f"{table}.{column} holds 10 characters in a row of a secret")
    assert not leaks, "the database keeps part of a secret in clear: " + "; ".join(
        sorted(set(leaks))
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Log the prefix (or the owner) if you must log a key: never the key, never its secret. A "
    "log line is stored too, in files and log search, and read by more people than the database."
)
def test_no_log_record_shows_a_secret(store, caplog):
    caplog.set_level(logging.DEBUG)
    issued = [created(store, "reports-app"), created(store, "billing-app")]
    new_key = rotated(store, issued[0][1], timedelta(hours=1))
    issued.append((new_key, *split(new_key)))
    for key, prefix, secret in issued:
        verified(store, key)
        verified(store, f"ak_{prefix}.{secret[::-1]}")
    leaks = []
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        for key, _, secret in issued:
            if shows_part_of_secret(text, secret):
                leaks.append(f"{record.name}: {text.replace(key, '<key>')[:150]}")
                break
    assert not leaks, "create_key, rotate or verify logged a secret: " + " | ".join(leaks)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Don't keep issued keys (or a cache of verified keys) on the KeyStore or in a module-level "
    "dict: the database, with digests only, is the only state."
)
def test_the_store_keeps_no_secret_in_memory(keystore, store):
    issued = [created(store, "reports-app"), created(store, "billing-app")]
    for key, _, _ in issued:
        verified(store, key)
    places = {"the KeyStore": store}
    places.update(
        {
            f"keystore.{name}": value
            for name, value in vars(keystore).items()
            if isinstance(value, dict | list | set) and not name.startswith("__")
        }
    )
    leaks = []
    for where, value in places.items():
        for text in walk(value, set()):
            for key, _, secret in issued:
                if found_in(text, secret):
                    leaks.append(f"{where} holds the secret of {key[:16]}...")
    assert not leaks, "after create_key and verify, " + "; ".join(leaks)


@pytest.mark.task(1)
@pytest.mark.hint(
    "`prefix: Mapped[str] = mapped_column(String(64), unique=True)` in the table api_keys: "
    "the database refuses two keys with one prefix, and the unique index makes the lookup fast."
)
def test_prefix_is_a_unique_column_of_api_keys(engine):
    from sqlalchemy import inspect

    inspector = inspect(engine)
    assert "api_keys" in inspector.get_table_names(), (
        f"the database has the tables {inspector.get_table_names()}, no api_keys"
    )
    columns = [column["name"] for column in inspector.get_columns("api_keys")]
    assert "prefix" in columns, f"the table api_keys has the columns {columns}, no prefix"
    unique = [list(c["column_names"]) for c in inspector.get_unique_constraints("api_keys")]
    unique += [list(i["column_names"]) for i in inspector.get_indexes("api_keys") if i["unique"]]
    unique.append(list(inspector.get_pk_constraint("api_keys")["constrained_columns"]))
    assert ["prefix"] in unique, (
        f"api_keys.prefix is not unique on its own (unique column sets: {unique})"
    )


# --- Task 2: verify -----------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.parametrize("owner", ["reports-app", "billing-app"])
def test_verify_returns_the_owner(store, owner):
    created(store, "someone-else")
    key, _, _ = created(store, owner)
    assert verified(store, key) == owner, (
        f"verify of the key created for {owner!r} returned {verified(store, key)!r}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Keep everything in the database: a KeyStore holds only the engine and clock.")
def test_a_new_store_on_the_same_engine_knows_the_keys(keystore, store, engine, clock):
    key, _, _ = created(store)
    other = keystore.KeyStore(engine, clock)
    assert verified(other, key) == "reports-app", (
        f"a second KeyStore on the same engine verified a key of the first as "
        f"{verified(other, key)!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Find the row by the prefix, then compare the digest of the *sent secret* with the stored "
    "digest: a found prefix proves nothing, and the stored digest is not a key."
)
def test_forged_keys_are_refused(store):
    key, prefix, secret = created(store, "reports-app")
    _, other_prefix, other_secret = created(store, "billing-app")
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    attempts = {
        "the prefix with a wrong secret of the right length": f"ak_{prefix}.{wrong}",
        "the prefix of reports-app with the secret of billing-app": f"ak_{prefix}.{other_secret}",
        "the secret of reports-app with the prefix of billing-app": f"ak_{other_prefix}.{secret}",
        "an unknown prefix with the right secret": f"ak_{'z' * 12}.{secret}",
        "the prefix with the SHA-256 digest of its secret": (
            f"ak_{prefix}.{hashlib.sha256(secret.encode()).hexdigest()}"
        ),
    }
    accepted = [
        f"{what} gave {owner!r}"
        for what, forged in attempts.items()
        if (owner := verified(store, forged)) is not None
    ]
    assert not accepted, "verify accepted forged keys: " + "; ".join(accepted)


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Check the whole string first (`re.fullmatch`, not `re.match` with `$`, which also matches "
    "before a final newline), return None for anything that is not a str of the form "
    "ak_<prefix>.<secret>, and let no exception out."
)
def test_malformed_keys_give_none(store):
    key, prefix, secret = created(store)
    attempts = [
        None,
        key.encode(),
        "",
        "ak_",
        "ak_abc",
        f"ak_{prefix}{secret}",
        f"{prefix}.{secret}",
        f"ak_{prefix}.",
        f"ak_.{secret}",
        key + " ",
        key + "\n",
        " " + key,
        f"ak_{prefix}.{secret[:-1]}é",
        f"Bearer {key}",
        key + ".extra",
        f"ak_{prefix}.{secret[:20]}",
    ]
    wrong = []
    for attempt in attempts:
        try:
            result = store.verify(attempt)
        except Exception as exc:  # noqa: BLE001
            wrong.append(f"verify({attempt!r}) raised {type(exc).__name__}: {exc}")
            continue
        if result is not None:
            wrong.append(f"verify({attempt!r}) returned {result!r}")
    assert not wrong, "; ".join(wrong)


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Query `select(ApiKey).where(ApiKey.prefix == prefix)`: one indexed row. Loading every key "
    "and looping in Python gets slower with every key, and it digests the secret against rows "
    "that can't match."
)
def test_verify_filters_on_prefix_in_sql(store, engine, sql_counter):
    created(store, "billing-app")
    key, _, _ = created(store)
    with sql_counter(engine) as counted:
        owner = verified(store, key)
    assert owner == "reports-app", f"verify of a valid key returned {owner!r}"
    selects = [s for s in counted.statements if s.lstrip().upper().startswith("SELECT")]
    assert selects, "verify ran no SELECT"
    unfiltered = [s for s in selects if not re.search(r"\bWHERE\b", s, re.IGNORECASE)]
    assert not unfiltered, (
        f"verify ran a SELECT without a WHERE, reading every key: {' '.join(unfiltered[0].split())}"
    )
    on_prefix = [
        s for s in selects if re.search(r"\bWHERE\b.*\bprefix\b", s, re.IGNORECASE | re.DOTALL)
    ]
    assert on_prefix, "no SELECT of verify filters on the prefix column: " + " | ".join(
        " ".join(s.split()) for s in selects
    )


@pytest.mark.task(2)
@pytest.mark.points(8)
@pytest.mark.hint(
    "After the row is found by its prefix, compare `secrets.compare_digest(digest(secret)"
    ".encode(), row.digest.encode())`; `==`, or a lookup by digest in SQL, skips it."
)
def test_verify_compares_with_compare_digest(store, digest_calls):
    key, prefix, secret = created(store)
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    for what, attempt, expected in [
        ("a wrong secret for a known prefix", f"ak_{prefix}.{wrong}", None),
        ("a wrong secret of 32 characters", f"ak_{prefix}.{'B' * 32}", None),
        ("a wrong secret of 64 characters", f"ak_{prefix}.{secrets.token_urlsafe(48)}", None),
        ("the right key", key, "reports-app"),
    ]:
        digest_calls.clear()
        result = verified(store, attempt)
        assert result == expected, f"verify of {what} returned {result!r}"
        assert digest_calls, f"verify of {what} returned {result!r} without calling compare_digest"


# --- Task 3: rotate and revoke ------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.hint("A key from create_key has no expiry: only rotate sets one.")
def test_a_created_key_never_expires(store, clock):
    key, _, _ = created(store)
    clock.advance(10 * 365 * 24 * HOUR)
    assert verified(store, key) == "reports-app", (
        f"ten years after create_key, verify of its key returned {verified(store, key)!r}"
    )


@pytest.mark.task(3)
@pytest.mark.points(8)
@pytest.mark.hint(
    "rotate stores `expires_at = clock.now() + grace` on the old row, and verify refuses a row "
    "once `clock.now() >= expires_at`, reading the clock at each call. SQLite returns naive "
    "datetimes: compare naive UTC with naive UTC."
)
def test_old_key_works_during_the_grace_period_only(store, clock):
    old, prefix, _ = created(store)
    clock.advance(100)
    new = rotated(store, prefix, timedelta(hours=1))
    seen = []
    for elapsed, advance, expected in [
        (0, 0, "reports-app"),
        (3599, 3599, "reports-app"),
        (3600, 1, None),
        (2 * HOUR, HOUR, None),
    ]:
        clock.advance(advance)
        result = verified(store, old)
        seen.append(f"{elapsed} s after the rotation: {result!r}")
        assert result == expected, (
            "rotate(prefix, timedelta(hours=1)), then verify of the old key: " + "; ".join(seen)
        )
    assert verified(store, new) == "reports-app", (
        f"verify of the key rotate returned gave {verified(store, new)!r}, two hours later"
    )


@pytest.mark.task(3)
@pytest.mark.hint("With grace=timedelta(0) the old key expires at the moment of the rotation.")
def test_zero_grace_ends_the_old_key_at_once(store):
    old, prefix, _ = created(store)
    new = rotated(store, prefix, timedelta(0))
    assert (verified(store, old), verified(store, new)) == (None, "reports-app"), (
        "after rotate(prefix, timedelta(0)), verify gave the old key "
        f"{verified(store, old)!r} and the new one {verified(store, new)!r}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "When the old key already has an expiry, keep the earlier of the two: "
    "`min(old.expires_at, now + grace)`."
)
def test_a_second_rotation_never_extends_the_grace(store, clock):
    old, prefix, _ = created(store)
    rotated(store, prefix, timedelta(hours=1))
    clock.advance(30 * 60)
    newer = rotated(store, prefix, timedelta(hours=24))
    clock.advance(30 * 60)
    assert verified(store, old) is None, (
        "rotate(prefix, 1 hour), then 30 minutes later rotate(prefix, 24 hours): an hour after "
        f"the first rotation, verify of the old key returned {verified(store, old)!r}"
    )
    assert verified(store, newer) == "reports-app"


@pytest.mark.task(3)
@pytest.mark.parametrize("state", ["unknown", "revoked", "expired"])
@pytest.mark.hint(
    "Before rotating, load the row by its prefix and raise KeyError if it is missing, revoked "
    "or past its expiry, before anything is added to the session."
)
def test_rotating_a_dead_key_raises_key_error(store, engine, clock, state):
    key, prefix, _ = created(store)
    if state == "unknown":
        prefix = "nosuchprefix"
    elif state == "revoked":
        store.revoke(prefix)
    else:
        rotated(store, prefix, timedelta(minutes=5))
        clock.advance(600)
    before = row_count(engine)
    with pytest.raises(KeyError):
        new = store.rotate(prefix, timedelta(hours=1))
        pytest.fail(f"rotate of an {state} prefix returned {new!r} instead of raising KeyError")
    assert row_count(engine) == before, (
        f"rotate of an {state} prefix raised KeyError but stored a new key"
    )


@pytest.mark.task(3)
@pytest.mark.points(8)
@pytest.mark.hint(
    "revoke marks the row (revoked_at = now) and commits; verify refuses a revoked row before "
    "anything else about it, grace period or not."
)
def test_a_revoked_key_fails_at_once(keystore, store, engine, clock):
    plain, plain_prefix, _ = created(store)
    store.revoke(plain_prefix)
    assert verified(store, plain) is None, (
        f"right after revoke, verify of the key returned {verified(store, plain)!r}"
    )
    in_grace, prefix, _ = created(store, "billing-app")
    rotated(store, prefix, timedelta(hours=24))
    store.revoke(prefix)
    assert verified(store, in_grace) is None, (
        "a key in its 24-hour grace period, then revoked: verify returned "
        f"{verified(store, in_grace)!r}"
    )
    other = keystore.KeyStore(engine, clock)
    assert verified(other, plain) is None, (
        f"a second KeyStore on the same engine verified a revoked key as {verified(other, plain)!r}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Revoke the one row of that prefix, not every key of its owner: the new key of a rotation "
    "must keep working."
)
def test_revoke_leaves_other_keys_working(store):
    old, prefix, _ = created(store)
    bystander, _, _ = created(store, "billing-app")
    new = rotated(store, prefix, timedelta(hours=1))
    store.revoke(prefix)
    results = {
        "the new key of the rotation": verified(store, new),
        "another owner's key": verified(store, bystander),
    }
    assert results == {
        "the new key of the rotation": "reports-app",
        "another owner's key": "billing-app",
    }, f"after revoking the old key, verify gave {results}"


@pytest.mark.task(3)
def test_revoking_an_unknown_prefix_raises_key_error(store):
    created(store)
    with pytest.raises(KeyError):
        store.revoke("nosuchprefix")
        pytest.fail("revoke('nosuchprefix') returned instead of raising KeyError")
