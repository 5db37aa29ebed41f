import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

START = datetime(2024, 3, 1, 9, 0)
# (email, tenant_id, hours after START), inserted so that id order is not time order
PEOPLE = [
    (f"{name}@Example.COM", tenant, hours)
    for tenant, name, hours in [
        (1, "Ada.Lovelace", 5), (2, "Grace.Hopper", 1), (1, "Alan.Turing", 9),
        (3, "Edsger.Dijkstra", 3), (1, "Barbara.Liskov", 2), (2, "Donald.Knuth", 8),
        (1, "Ken.Thompson", 12), (1, "Dennis.Ritchie", 7), (2, "Frances.Allen", 4),
        (1, "John.McCarthy", 1), (3, "Niklaus.Wirth", 6), (1, "Margaret.Hamilton", 10),
    ]
] + [(f"user{n}@tenant{n % 4 + 4}.org", n % 4 + 4, 20 + n) for n in range(120)]  # fmt: skip


@pytest.fixture
def mods(learner):
    models = learner.require("models", "Base", "User")
    queries = learner.require("queries", "find_by_email", "recent_for_tenant")
    return models, queries


@pytest.fixture
def engine(mods, db_engine):
    models, _ = mods
    engine = db_engine(models.Base.metadata)
    with Session(engine) as session:
        session.add_all(
            models.User(email=email, tenant_id=tenant, created_at=START + timedelta(hours=hours))
            for email, tenant, hours in PEOPLE
        )
        session.commit()
    return engine


def index_sql(engine, name):
    with engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
        ).scalar()


def run(engine, sql_counter, function, *args):
    """Call function(session, *args); return its result and the plans of the SQL it ran."""
    with Session(engine) as session:
        with sql_counter(engine) as counted:
            result = function(session, *args)
        if isinstance(result, list):
            shown = [(u.email, u.tenant_id, u.created_at) for u in result]
        else:
            shown = None if result is None else (result.email, result.tenant_id)
    plans = []
    with engine.connect() as conn:
        for statement in counted.statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            dummy = (1,) * statement.count("?")
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, dummy).all()
            plans.append((statement, [row[-1] for row in rows]))
    return shown, plans


def check_plan(plans, index):
    assert plans, "the function ran no SELECT"
    searched = re.compile(rf"SEARCH \w+ USING (COVERING )?INDEX {index}\b")
    for statement, details in plans:
        if any(searched.search(line) for line in details):
            assert not any(line.startswith("SCAN") for line in details), (
                f"EXPLAIN QUERY PLAN of {statement!r} still scans a table: {details}"
            )
            return statement, details
    shown = "; ".join(f"{' '.join(s.split())!r} -> {d}" for s, d in plans)
    pytest.fail(f"no SELECT it ran searches the index {index}: {shown}")


# --- Task 1: the indexes ------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'An expression index: `Index("ix_users_email_lower", func.lower(email))` inside the '
    "class's `__table_args__` (a tuple). It indexes lower(email), not email."
)
def test_the_expression_index_indexes_lower_email(engine):
    sql = index_sql(engine, "ix_users_email_lower")
    assert sql is not None, "the database has no index named ix_users_email_lower"
    compact = re.sub(r"\s+", "", sql).lower().replace('"', "")
    assert "(lower(email))" in compact or "(lower(users.email))" in compact, (
        f"ix_users_email_lower is created as {sql!r}, not on lower(email)"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'A composite index lists its columns in order: `Index("ix_users_tenant_created", '
    '"tenant_id", "created_at")`. The equality column comes first, the sorted one second.'
)
def test_the_composite_index_is_tenant_then_created(engine):
    assert index_sql(engine, "ix_users_tenant_created") is not None, (
        "the database has no index named ix_users_tenant_created"
    )
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("PRAGMA index_info('ix_users_tenant_created')").all()
    columns = [row[2] for row in sorted(rows)]
    assert columns == ["tenant_id", "created_at"], (
        f"ix_users_tenant_created has the columns {columns}, not ['tenant_id', 'created_at']"
    )


# --- Task 2: find_by_email ----------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "typed", ["Ada.Lovelace@Example.COM", "ada.lovelace@example.com", "ADA.LOVELACE@EXAMPLE.COM"]
)
def test_an_email_is_found_whatever_its_case(mods, engine, sql_counter, typed):
    _, queries = mods
    found, _ = run(engine, sql_counter, queries.find_by_email, typed)
    assert found == ("Ada.Lovelace@Example.COM", 1), (
        f"find_by_email(session, {typed!r}) returned {found!r}"
    )


@pytest.mark.task(2)
def test_an_unknown_email_gives_none(mods, engine, sql_counter):
    _, queries = mods
    found, _ = run(engine, sql_counter, queries.find_by_email, "nobody@example.com")
    assert found is None, f"find_by_email for an unknown address returned {found!r}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compare the indexed expression itself: `func.lower(User.email) == email.lower()`. "
    "`ilike` compiles to LIKE, which the index cannot answer, and a loop over "
    "`select(User)` reads the whole table."
)
def test_find_by_email_searches_the_expression_index(mods, engine, sql_counter):
    _, queries = mods
    _, plans = run(engine, sql_counter, queries.find_by_email, "GRACE.hopper@example.com")
    check_plan(plans, "ix_users_email_lower")


# --- Task 3: recent_for_tenant ------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize(("tenant", "limit"), [(1, 3), (2, 2), (3, 5), (1, 0)])
def test_the_newest_users_of_the_tenant_come_first(mods, engine, sql_counter, tenant, limit):
    _, queries = mods
    got, _ = run(engine, sql_counter, queries.recent_for_tenant, tenant, limit)
    mine = sorted((p for p in PEOPLE if p[1] == tenant), key=lambda p: p[2], reverse=True)
    expected = [(e, t, START + timedelta(hours=h)) for e, t, h in mine[:limit]]
    assert got == expected, (
        f"recent_for_tenant(session, {tenant}, {limit}) returned the emails "
        f"{[g[0] for g in got]}, expected {[e[0] for e in expected]}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Let the database do all three steps: `.where(User.tenant_id == tenant_id)`, "
    "`.order_by(User.created_at.desc())`, `.limit(limit)`. With the (tenant_id, created_at) "
    "index SQLite reads the rows already sorted: no SCAN and no TEMP B-TREE in the plan."
)
def test_recent_for_tenant_searches_the_composite_index(mods, engine, sql_counter):
    _, queries = mods
    _, plans = run(engine, sql_counter, queries.recent_for_tenant, 5, 4)
    statement, details = check_plan(plans, "ix_users_tenant_created")
    assert not any("TEMP B-TREE" in line for line in details), (
        f"EXPLAIN QUERY PLAN of {statement!r} sorts in a temporary B-tree: {details}"
    )
    words = " ".join(statement.upper().split())
    assert "ORDER BY" in words and "LIMIT" in words, (
        f"the SELECT that searches the index has no ORDER BY or no LIMIT: {statement!r}"
    )
