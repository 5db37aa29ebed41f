import ast
import sys
import warnings

import pytest
from sqlalchemy import event
from sqlalchemy.engine.default import CacheStats
from sqlalchemy.orm import Session

# The prompt announces it: queries.py runs with DeprecationWarning turned into an error.
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")

EMAILS = ["ada@example.com", "grace@example.com", "alan@example.com", "edsger@example.com"]
HIT, MISS = CacheStats.CACHE_HIT, CacheStats.CACHE_MISS


@pytest.fixture
def queries(learner):
    return learner.require("queries", "Base", "User", "find_user_by_email", "cache_stats")


@pytest.fixture
def engine(queries, db_engine):
    engine = db_engine(queries.Base.metadata)
    with Session(engine) as session:
        session.add_all(queries.User(email=email) for email in EMAILS)
        session.commit()
    return engine


class CacheLog:
    """The statement cache's answer for every statement the engine runs."""

    def __init__(self, engine):
        self.hits = []
        event.listen(engine, "after_cursor_execute", self.record)

    def record(self, conn, cursor, statement, parameters, context, executemany):
        self.hits.append(context.cache_hit)


def found(session, queries, email):
    user = queries.find_user_by_email(session, email)
    return None if user is None else user.email


# --- Task 1: find_user_by_email -----------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_each_email_finds_its_own_user(queries, engine):
    with Session(engine) as session:
        got = [found(session, queries, email) for email in reversed(EMAILS)]
    assert got == list(reversed(EMAILS)), (
        f"find_user_by_email for {list(reversed(EMAILS))} returned users with emails {got}"
    )


@pytest.mark.task(1)
def test_an_unknown_email_gives_none(queries, engine):
    with Session(engine) as session:
        got = found(session, queries, "nobody@example.com")
    assert got is None, f"find_user_by_email for an unknown address returned {got!r}"


@pytest.mark.task(1)
@pytest.mark.parametrize("typed", ["ADA@example.com", "alan@example.co_"])
@pytest.mark.hint(
    "Compare with `==`. `like`/`ilike` ignore case on SQLite and read `%` and `_` as "
    "wildcards, so they find users whose email is not the one asked for."
)
def test_only_the_exact_email_matches(queries, engine, typed):
    # Neither is a stored address: one differs in case, one holds a LIKE wildcard.
    with Session(engine) as session:
        try:
            got = found(session, queries, typed)
        except Exception as exc:  # noqa: BLE001 - shown to the learner
            pytest.fail(f"find_user_by_email({typed!r}) raised {type(exc).__name__}: {exc}")
    assert got is None, f"find_user_by_email({typed!r}) returned the user {got!r}"


@pytest.mark.task(1)
def test_a_quote_in_the_email_is_data_not_sql(queries, engine):
    with Session(engine) as session:
        try:
            got = found(session, queries, "x' OR '1'='1")
        except Exception as exc:  # noqa: BLE001 - shown to the learner
            pytest.fail(f"find_user_by_email(\"x' OR '1'='1\") raised {type(exc).__name__}")
    assert got is None, f"find_user_by_email(\"x' OR '1'='1\") returned the user {got!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep the email out of the statement's structure: `select(User).where(User.email == "
    'bindparam("email"))` built once at module level and run with `{"email": email}`, or '
    "`lambda_stmt(lambda: select(User).where(User.email == email))`. An f-string in "
    "`text()` makes a new SQL string, hence a new cache entry, for every address."
)
def test_later_lookups_are_served_from_the_statement_cache(queries, engine):
    log = CacheLog(engine)
    with Session(engine) as session:
        for email in EMAILS:
            found(session, queries, email)
    assert log.hits and log.hits[1:] == [HIT] * (len(log.hits) - 1) and len(log.hits) >= 2, (
        f"four lookups with different emails on a new engine ran statements whose cache "
        f"results were {[h.name for h in log.hits]}: all but the first should be CACHE_HIT"
    )


# --- Task 2: cache_stats ------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_cache_stats_reports_a_miss_then_hits(queries, engine):
    with engine.connect() as conn:
        stats = list(queries.cache_stats(conn, EMAILS[:3]))
    assert stats == [MISS, HIT, HIT], (
        f"cache_stats(conn, 3 emails) on a new engine returned {stats!r}, "
        f"expected [CACHE_MISS, CACHE_HIT, CACHE_HIT]"
    )


@pytest.mark.task(2)
def test_a_second_batch_is_all_hits(queries, engine):
    with engine.connect() as conn:
        queries.cache_stats(conn, EMAILS[:2])
        stats = list(queries.cache_stats(conn, ["someone@else.org", EMAILS[3]]))
    assert stats == [HIT, HIT], (
        f"a second cache_stats call on the same engine returned {stats!r}, expected two CACHE_HIT"
    )


@pytest.mark.task(2)
def test_cache_stats_runs_one_lookup_per_email(queries, engine):
    log = CacheLog(engine)
    with engine.connect() as conn:
        stats = list(queries.cache_stats(conn, EMAILS))
    assert len(stats) == len(EMAILS) == len(log.hits), (
        f"cache_stats with 4 emails returned {len(stats)} values after running "
        f"{len(log.hits)} statements"
    )
    assert stats == log.hits, (
        f"cache_stats returned {stats!r} but the statements it ran reported "
        f"{[h.name for h in log.hits]}"
    )


@pytest.mark.task(2)
def test_a_repeated_email_is_looked_up_again(queries, engine):
    log = CacheLog(engine)
    batch = [EMAILS[0], EMAILS[1], EMAILS[0], EMAILS[0]]
    with engine.connect() as conn:
        stats = list(queries.cache_stats(conn, batch))
    assert stats == [MISS, HIT, HIT, HIT] and len(log.hits) == len(batch), (
        f"cache_stats with {batch} returned {stats!r} after running {len(log.hits)} statements: "
        f"every email, repeated or not, gets its own lookup"
    )


# --- Task 3: no baked queries, no deprecated API -------------------------------------------


def imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Baked queries (`sqlalchemy.ext.baked`) are deprecated since SQLAlchemy 1.4: every "
    "select() is cached already. Delete the import and run a plain select()."
)
def test_sqlalchemy_ext_baked_is_not_imported(learner, db_engine):
    tree = ast.parse(learner.source("queries.py"))
    baked = sorted(m for m in set(imported_modules(tree)) if m.startswith("sqlalchemy.ext.baked"))
    assert not baked, f"queries.py imports {baked}"
    # An import spelled another way (importlib, __import__) shows once the module has run.
    for name in [m for m in sys.modules if m.startswith("sqlalchemy.ext.baked")]:
        del sys.modules[name]
    queries = learner.require("queries", "Base", "User", "find_user_by_email", fresh=True)
    with Session(db_engine(queries.Base.metadata)) as session:
        queries.find_user_by_email(session, EMAILS[0])
    loaded = sorted(m for m in sys.modules if m.startswith("sqlalchemy.ext.baked"))
    assert not loaded, f"importing queries.py and looking up a user loaded {loaded}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Use the 2.0 names: `DeclarativeBase` from sqlalchemy.orm, `select()` and "
    "`session.scalars()` / `session.get()`. The 1.x spellings still run but warn."
)
def test_queries_runs_without_deprecation_warnings(learner):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            learner.fresh("queries")
        except DeprecationWarning as exc:
            pytest.fail(f"importing queries.py raised a DeprecationWarning: {exc}")
