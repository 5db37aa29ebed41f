import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import DateTime, Integer, Select, String, inspect, text
from sqlalchemy.exc import IntegrityError, NoInspectionAvailable
from sqlalchemy.orm import Session

JAN, FEB, MAR = (datetime(2024, month, 1, 12, 0, tzinfo=UTC) for month in (1, 2, 3))


# ------------------------------------------------------------------------------------ helpers


def mapped(learner, name):
    cls = getattr(learner.require("models", name), name)
    try:
        inspect(cls)
    except NoInspectionAvailable:
        raise AssertionError(f"models.{name} ({cls!r}) is not a mapped class") from None
    return cls


@pytest.fixture
def models(learner):
    return learner("models")


@pytest.fixture
def engine(learner, db_engine):
    """Base.metadata's tables on an in-memory database with foreign keys enforced."""
    mapped(learner, "Tenant"), mapped(learner, "Order")
    return db_engine(learner.require("models", "Base").Base.metadata)


@pytest.fixture
def tenants(models, engine):
    """Two committed tenants: {slug: id}."""
    with Session(engine) as session:
        made = [models.Tenant(slug="acme"), models.Tenant(slug="globex")]
        session.add_all(made)
        session.commit()
        return {t.slug: t.id for t in made}


def add_orders(models, engine, *orders):
    """Commit orders given as dicts of Order fields; returns their ids."""
    with Session(engine) as session:
        made = [models.Order(**fields) for fields in orders]
        session.add_all(made)
        session.commit()
        return [o.id for o in made]


def refused(models, engine, fields):
    """True when committing Order(**fields) raises IntegrityError."""
    with Session(engine) as session:
        session.add(models.Order(**fields))
        try:
            session.commit()
        except IntegrityError:
            return True
    return False


def stored(engine):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT tenant_id, number FROM orders"))]


def order(tenant_id, number, total=1000, **more):
    return {"tenant_id": tenant_id, "number": number, "total_cents": total, **more}


# --------------------------------------------------------------------- Task 1: the tenants


@pytest.mark.task(1)
@pytest.mark.hint('`slug: Mapped[str] = mapped_column(String(63), unique=True)` on "tenants".')
def test_tenant_slug_is_unique_and_required(models, engine, tenants):
    assert sorted(tenants) == ["acme", "globex"] and all(type(i) is int for i in tenants.values())
    for slug in ("acme", None):
        with Session(engine) as session:
            session.add(models.Tenant(slug=slug))
            with pytest.raises(IntegrityError):
                session.commit()
                pytest.fail(f"a second tenant with slug={slug!r} was stored")


@pytest.mark.task(1)
@pytest.mark.hint("slug: Mapped[str] = mapped_column(String(63), unique=True)")
def test_tenant_slug_is_a_string_of_63(engine):
    kind = {c["name"]: c["type"] for c in inspect(engine).get_columns("tenants")}.get("slug")
    assert isinstance(kind, String) and kind.length == 63, (
        f"tenants.slug is stored as {kind}, not VARCHAR(63)"
    )


# ------------------------------------------------------------------------ Task 2: the orders


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Non-optional Mapped[...] annotations make NOT NULL columns: tenant_id: Mapped[int], "
    "number: Mapped[str] with String(32), total_cents: Mapped[int], created_at: "
    "Mapped[datetime] with DateTime(timezone=True)."
)
def test_orders_columns_and_types(engine):
    columns = {c["name"]: c for c in inspect(engine).get_columns("orders")}
    expected = {"id", "tenant_id", "number", "total_cents", "created_at"}
    assert set(columns) == expected, f"the orders table has the columns {sorted(columns)}"
    kinds = {
        "tenant_id": Integer,
        "number": String,
        "total_cents": Integer,
        "created_at": DateTime,
    }
    for name, kind in kinds.items():
        found = columns[name]["type"]
        assert isinstance(found, kind), f"orders.{name} is stored as {found}"
        assert columns[name]["nullable"] is False, f"orders.{name} allows NULL"


@pytest.mark.task(2)
@pytest.mark.hint(
    "number: Mapped[str] = mapped_column(String(32)); created_at: Mapped[datetime] = "
    "mapped_column(DateTime(timezone=True), ...): SQLite drops the time zone, PostgreSQL keeps it."
)
def test_number_length_and_timezone_aware_created_at(models, engine):
    number = {c["name"]: c["type"] for c in inspect(engine).get_columns("orders")}["number"]
    assert isinstance(number, String) and number.length == 32, (
        f"orders.number is stored as {number}, not VARCHAR(32)"
    )
    created = models.Order.__table__.c.created_at.type
    assert getattr(created, "timezone", False) is True, (
        f"Order.created_at is declared as {created!r}, not DateTime(timezone=True)"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "An order number is unique per tenant: one UniqueConstraint('tenant_id', 'number') in "
    "__table_args__, not unique=True on number (that forbids the same number in two tenants)."
)
def test_same_number_in_two_tenants_is_allowed(models, engine, tenants):
    try:
        add_orders(models, engine, order(tenants["acme"], "1001"), order(tenants["globex"], "1001"))
    except IntegrityError as exc:
        pytest.fail(f"order 1001 for acme and 1001 for globex could not both be stored: {exc.orig}")
    assert sorted(stored(engine)) == sorted(
        [(tenants["acme"], "1001"), (tenants["globex"], "1001")]
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Put the rule in the table: UniqueConstraint('tenant_id', 'number') makes the database "
    "refuse a second 1001 for the same tenant."
)
def test_same_number_twice_in_one_tenant_is_refused(models, engine, tenants):
    add_orders(models, engine, order(tenants["acme"], "1001"))
    assert refused(models, engine, order(tenants["acme"], "1001", total=5)), (
        f"a second order 1001 for acme was stored: the table holds {stored(engine)}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "tenant_id: Mapped[int] = mapped_column(ForeignKey('tenants.id')): Mapped[int] (not "
    "int | None) makes it NOT NULL, and the ForeignKey makes SQLite (with PRAGMA "
    "foreign_keys=ON) refuse an id that is no tenant."
)
@pytest.mark.parametrize("tenant_id", [None, 999], ids=["no-tenant", "unknown-tenant"])
def test_every_order_belongs_to_an_existing_tenant(models, engine, tenants, tenant_id):
    assert refused(models, engine, order(tenant_id, "1001")), (
        f"an order with tenant_id={tenant_id!r} was stored: the table holds {stored(engine)}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Give created_at a default: mapped_column(DateTime(timezone=True), default=...) with a "
    "function returning datetime.now(UTC), or server_default=func.now()."
)
def test_created_at_defaults_to_now(models, engine, tenants):
    [order_id] = add_orders(models, engine, order(tenants["acme"], "1001"))
    with Session(engine) as session:
        created = session.get(models.Order, order_id).created_at
    assert isinstance(created, datetime), f"an order stored without created_at has {created!r}"
    now = datetime.now(UTC).replace(tzinfo=None)
    assert abs(created.replace(tzinfo=None) - now) < timedelta(days=1), (
        f"an order stored just now has created_at={created}"
    )


@pytest.mark.task(2)
@pytest.mark.points(5)  # isolation: a new tenant must never inherit another tenant's orders
@pytest.mark.hint(
    "With tenant_id a real foreign key (and PRAGMA foreign_keys=ON), SQLite refuses to delete a "
    'tenant that still has orders, or deletes them with it (ondelete="CASCADE"). Without it '
    "the orders stay behind, and the next tenant, who gets the freed id, owns them."
)
def test_a_new_tenant_never_inherits_a_deleted_tenants_orders(models, engine, tenants):
    globex = tenants["globex"]  # the highest id: SQLite hands it out again once it is free
    add_orders(models, engine, order(globex, "G-1"))
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM tenants WHERE id = :id"), {"id": globex})
    except IntegrityError:
        pass  # refused while globex has orders: fine
    with Session(engine) as session:
        newcomer = models.Tenant(slug="initech")
        session.add(newcomer)
        session.commit()
        newcomer_id = newcomer.id
    with engine.connect() as conn:
        inherited = [
            number
            for (number,) in conn.execute(
                text("SELECT number FROM orders WHERE tenant_id = :id"), {"id": newcomer_id}
            )
        ]
    assert inherited == [], (
        f"globex (id {globex}) was deleted while it had the order G-1; the new tenant initech "
        f"got the id {newcomer_id} and owns the orders {inherited}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "default=datetime.now(UTC) calls now() once, when models.py is imported, and stamps every "
    "order with that moment. Pass a function (default=utc_now, or lambda: datetime.now(UTC)) "
    "or let the database fill it in (server_default=func.now())."
)
def test_created_at_default_is_computed_for_each_order(models, engine):
    column = models.Order.__table__.c.created_at
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        raise AssertionError(
            f"created_at's default is the fixed value {default.arg!r}, computed once when "
            "models.py was imported: every order would get that moment"
        )
    assert default is not None or column.server_default is not None, (
        "created_at has no default at all"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint('Index("ix_orders_tenant_created", "tenant_id", "created_at") in __table_args__.')
def test_composite_index_on_tenant_and_created_at(engine):
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("orders")}
    found = indexes.get("ix_orders_tenant_created")
    assert found == ["tenant_id", "created_at"], (
        f"ix_orders_tenant_created covers {found}, expected ['tenant_id', 'created_at'] "
        f"(indexes on orders: {indexes})"
    )


# ----------------------------------------------------------------- Task 3: tenant_orders()


def seed_timeline(models, engine, tenants):
    acme, globex = tenants["acme"], tenants["globex"]
    ids = add_orders(
        models,
        engine,
        order(acme, "A-1", created_at=JAN),
        order(globex, "G-1", created_at=FEB),
        order(acme, "A-2", created_at=MAR),
        order(acme, "A-3", created_at=FEB),
        order(acme, "A-4", created_at=MAR),
    )
    return dict(zip(["A-1", "G-1", "A-2", "A-3", "A-4"], ids, strict=True))


def built(learner, tenant_id):
    return learner.require("models", "tenant_orders").tenant_orders(tenant_id)


def run(learner, engine, tenant_id):
    stmt = built(learner, tenant_id)
    assert isinstance(stmt, Select), (
        f"tenant_orders returned {type(stmt).__name__}, not a Select: build it with select(Order)"
    )
    with Session(engine) as session:
        return [o.number for o in session.scalars(stmt)]


@pytest.mark.task(3)
@pytest.mark.points(7)  # isolation: the weight of a whole task
@pytest.mark.hint(
    "select(Order).where(Order.tenant_id == tenant_id): a tenant's query must never return "
    "another tenant's orders."
)
def test_tenant_orders_returns_only_that_tenants_orders(learner, models, engine, tenants):
    seed_timeline(models, engine, tenants)
    acme = run(learner, engine, tenants["acme"])
    assert sorted(acme) == ["A-1", "A-2", "A-3", "A-4"], (
        f"tenant_orders(<acme's id>) returned the orders {sorted(acme)}: expected acme's four "
        "(A-1 to A-4), and never globex's G-1"
    )
    globex = run(learner, engine, tenants["globex"])
    assert globex == ["G-1"], f"tenant_orders(<globex's id>) returned the orders {globex}"


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "select(Order).where(Order.tenant_id == tenant_id).order_by(Order.created_at.desc(), "
    "Order.id.desc())"
)
def test_tenant_orders_lists_one_tenant_newest_first(learner, models, engine, tenants):
    seed_timeline(models, engine, tenants)
    numbers = run(learner, engine, tenants["acme"])
    assert numbers == ["A-4", "A-2", "A-3", "A-1"], (
        f"acme's orders came back as {numbers}; expected newest first, and of the two March "
        "orders the later one (higher id) first: ['A-4', 'A-2', 'A-3', 'A-1']"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "SQLite happens to return ties in descending id when it walks the index backwards, but "
    "that is luck, not a rule: order_by(Order.created_at.desc(), Order.id.desc()) states it."
)
def test_tenant_orders_breaks_ties_by_id_descending(learner, engine):
    sql = " ".join(str(built(learner, 1).compile(engine)).split())
    clause = sql.rsplit(" ORDER BY ", 1)[-1] if " ORDER BY " in sql else ""
    terms = [term.strip() for term in clause.split(",")]
    wanted = [r"(\w+\.)?created_at DESC\b", r"(\w+\.)?id DESC\b"]
    ok = len(terms) >= 2 and all(
        re.match(pattern, term, re.I) for pattern, term in zip(wanted, terms, strict=False)
    )
    assert ok, (
        f"tenant_orders orders its rows by `{clause or '(nothing)'}`: expected created_at "
        "descending, then id descending for orders created at the same moment"
    )


@pytest.mark.task(3)
@pytest.mark.hint("A tenant without orders (or an unknown id) matches no row: the result is [].")
def test_tenant_orders_of_a_tenant_without_orders_is_empty(learner, models, engine, tenants):
    seed_timeline(models, engine, tenants)
    assert run(learner, engine, 999) == [], "tenant_orders(999) found orders"


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "The plan should read 'SEARCH orders USING INDEX ix_orders_tenant_created (tenant_id=?)': "
    "the index on (tenant_id, created_at) finds the tenant's rows already sorted by date. A full "
    "SCAN, or a 'USE TEMP B-TREE FOR ORDER BY' step, means the query and the index don't match."
)
def test_query_plan_searches_the_composite_index(learner, models, engine, tenants):
    seed_timeline(models, engine, tenants)
    stmt = built(learner, tenants["acme"])
    sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    shown = "; ".join(plan)
    searches = [step for step in plan if step.startswith("SEARCH") and "INDEX" in step]
    assert searches, f"SQLite does not use an index for tenant_orders: the plan is {shown!r}"
    # "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY" (only the tie-break sorted apart) is fine.
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, (
        f"SQLite sorts all of tenant_orders' rows in a temporary table: the plan is {shown!r}"
    )
