import itertools
import re

import pytest
from sqlalchemy import event, inspect
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.util import find_tables

SQLITE_OWN = {"main", "temp"}


# ------------------------------------------------------------------------------------ helpers


@pytest.fixture
def engine(db_engine):
    """One in-memory database on a single shared connection, so attachments persist; foreign
    keys are left as SQLite's default, as the prompt's engine has them."""
    return db_engine(foreign_keys=False)


def make_store(learner, name, engine):
    return getattr(learner.require("tenancy", name), name)(engine)


def store_with(learner, name, engine, orders):
    """A store holding the tenants and orders given as {tenant: [items]}, in that order."""
    store = make_store(learner, name, engine)
    for tenant in orders:
        store.create_tenant(tenant)
    for tenant, items in orders.items():
        for item in items:
            store.add_order(tenant, item)
    return store


def sql(engine, statement):
    """Rows of the test's own SQL, on a fresh connection of the store's engine."""
    with engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(statement)]


def unordered_selects_reversed(engine):
    """SQLite answers a SELECT without ORDER BY in the order of its table, which is the order
    the rows were added in; from now on it answers such a SELECT the other way round, so only
    an ORDER BY gives the order the prompt asks for."""
    with engine.connect() as conn:  # the engine's one connection, attachments included
        conn.exec_driver_sql("PRAGMA reverse_unordered_selects = ON")


def attached(engine):
    return [name for _, name, _ in sql(engine, "PRAGMA database_list") if name not in SQLITE_OWN]


def flat(statements):
    return [" ".join(s.split()) for s in statements]


class ExecutedStatements:
    """What the store hands to Connection.execute(): the statement objects and the
    schema_translate_map they run with (`with ExecutedStatements(engine) as seen: ...`)."""

    def __init__(self, engine):
        self.engine = engine
        self.executed = []  # (statement, schema_translate_map or {})

    def __enter__(self):
        event.listen(self.engine, "before_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_execute", self._record)

    def _record(self, conn, clauseelement, multiparams, params, execution_options):
        self.executed.append(
            (clauseelement, dict(execution_options.get("schema_translate_map") or {}))
        )

    def on_orders(self):
        """(orders Table, schema map) of every statement built on a Table named orders."""
        found = []
        for statement, schema_map in self.executed:
            if isinstance(statement, (str, TextClause)):
                continue
            try:
                tables = find_tables(statement, include_crud=True)
            except Exception:
                continue
            found += [(t, schema_map) for t in tables if getattr(t, "name", None) == "orders"]
        return found


# 31 characters is the longest name TENANT_NAME allows; one more is too long.
LONGEST_NAME = "a" + "b" * 30
INVALID_NAMES = (
    "",
    "Acme",
    "1st",
    "acme-corp",
    "acme corp",
    'x"; DROP TABLE orders',
    "main",
    "temp",
    LONGEST_NAME + "c",
    "acme\n",
)
ORDERS = {
    "acme": ["anvil", "rocket skates", "anvil"],
    "globex": ["anvil", "doomsday device"],
    "initech": [],
}


# ------------------------------------------------------------- Task 1: the row-based store


@pytest.mark.task(1)
@pytest.mark.points(9)  # isolation: the weight of a whole task
@pytest.mark.hint(
    "Look the tenant up, then select(orders.c.item).where(orders.c.tenant_id == tenant_id)"
    ".order_by(orders.c.id): each tenant sees its own rows, in the order they were added "
    "(without an ORDER BY the database may answer in any order)."
)
def test_row_store_keeps_tenants_apart(learner, engine):
    store = store_with(learner, "RowTenantStore", engine, ORDERS)
    unordered_selects_reversed(engine)
    for tenant, items in ORDERS.items():
        found = store.list_orders(tenant)
        assert found == items, (
            f"RowTenantStore.list_orders({tenant!r}) returned {found!r}, expected {items!r} "
            "(the tenant's items in the order they were added)"
        )


@pytest.mark.task(1)
@pytest.mark.hint("add_order returns inserted_primary_key[0] of its INSERT: a new int each time.")
def test_row_store_add_order_returns_new_ids(learner, engine):
    store = store_with(learner, "RowTenantStore", engine, {"acme": [], "globex": []})
    ids = [store.add_order("acme", "anvil"), store.add_order("globex", "anvil")]
    ids.append(store.add_order("acme", "rope"))
    assert all(type(i) is int for i in ids), f"add_order returned {ids!r}, not ints"
    assert len(set(ids)) == 3, f"three orders in one shared table got the ids {ids}"


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Row-based tenancy means ONE physical `orders` table in the main database, with a "
    "tenant_id column telling the rows apart: no ATTACH, no table per tenant."
)
def test_row_store_uses_one_shared_orders_table(learner, engine):
    store = store_with(learner, "RowTenantStore", engine, {"acme": ["anvil"]})
    tables_before = sorted(inspect(engine).get_table_names())
    store.create_tenant("globex")
    store.create_tenant("initech")
    store.add_order("globex", "anvil")
    store.add_order("initech", "stapler")
    store.add_order("acme", "rope")
    assert not attached(engine), (
        f"RowTenantStore attached the databases {attached(engine)}: all tenants share the main one"
    )
    tables_after = sorted(inspect(engine).get_table_names())
    assert tables_after == tables_before, (
        f"creating two more tenants changed the tables from {tables_before} to {tables_after}: "
        "a row-based store keeps one set of tables for everybody"
    )
    assert "orders" in tables_after, f"the main database has no orders table ({tables_after})"
    columns = [c["name"] for c in inspect(engine).get_columns("orders")]
    assert {"tenant_id", "item"} <= set(columns), f"the orders table has the columns {columns}"
    rows = sql(engine, "SELECT tenant_id, item FROM orders ORDER BY id")
    assert len(rows) == 4, f"the shared orders table holds {rows}, expected the 4 orders"
    owners = {tenant_id for tenant_id, _ in rows}
    assert len(owners) == 3 and None not in owners, (
        f"the 4 orders of 3 tenants carry the tenant_id values {sorted(owners, key=str)}"
    )


@pytest.mark.task(1)
@pytest.mark.points(9)  # isolation: the weight of a whole task
@pytest.mark.hint(
    "Filter in the database: .where(orders.c.tenant_id == ...) (or a join on tenants with "
    ".where(tenants.c.name == ...)). Fetching every row and keeping the tenant's in Python sends "
    "other tenants' data out of the database and slows down as the table grows."
)
def test_row_store_filters_in_the_where_clause(learner, engine, sql_counter):
    store = store_with(learner, "RowTenantStore", engine, ORDERS)
    with sql_counter(engine) as counted:
        found = store.list_orders("globex")
    assert found == ORDERS["globex"], f"list_orders('globex') returned {found!r}"
    statements = flat(counted.statements)
    reads = [s for s in statements if re.search(r"(?is)^\s*select\b.*\bfrom\b.*\borders\b", s)]
    assert reads, f"list_orders sent no SELECT on orders (it sent {statements})"
    unfiltered = [s for s in reads if not re.search(r"(?i)\bwhere\b", s)]
    assert not unfiltered, (
        f"list_orders read orders without a WHERE clause: {unfiltered[0]!r}; every tenant's "
        "rows left the database and were filtered in Python"
    )


# ---------------------------------------------------------- Task 2: the schema-based store


@pytest.mark.task(2)
@pytest.mark.points(9)  # isolation: the weight of a whole task
@pytest.mark.hint(
    "Run every statement on conn.execution_options(schema_translate_map={'tenant': name}), so "
    '"tenant".orders becomes "<name>".orders for that call only; list with '
    ".order_by(orders.c.id): without an ORDER BY the database may answer in any order."
)
def test_schema_store_keeps_tenants_apart(learner, engine):
    store = store_with(learner, "SchemaTenantStore", engine, ORDERS)
    unordered_selects_reversed(engine)
    for tenant, items in ORDERS.items():
        found = store.list_orders(tenant)
        assert found == items, (
            f"SchemaTenantStore.list_orders({tenant!r}) returned {found!r}, expected {items!r} "
            "(the tenant's items in the order they were added)"
        )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "create_tenant runs ATTACH DATABASE ':memory:' AS <name>, then creates the orders table "
    "inside it: metadata.create_all(conn.execution_options(schema_translate_map=...))."
)
def test_schema_store_gives_each_tenant_its_own_database(learner, engine):
    store_with(learner, "SchemaTenantStore", engine, ORDERS)
    names = attached(engine)
    assert sorted(names) == sorted(ORDERS), (
        f"after creating the tenants {sorted(ORDERS)}, the attached databases are {names}"
    )
    for tenant, items in ORDERS.items():
        tables = inspect(engine).get_table_names(schema=tenant)
        assert "orders" in tables, f"the database {tenant!r} holds the tables {tables}, no orders"
        rows = [item for (item,) in sql(engine, f'SELECT item FROM "{tenant}".orders ORDER BY id')]
        assert rows == items, f'"{tenant}".orders holds {rows}, expected {items}'


@pytest.mark.task(2)
@pytest.mark.hint(
    "Each tenant's orders table is a table of its own, so the ids of each tenant start at 1."
)
def test_schema_store_add_order_returns_per_tenant_ids(learner, engine):
    store = store_with(learner, "SchemaTenantStore", engine, {"acme": [], "globex": []})
    ids = [
        store.add_order("acme", "anvil"),
        store.add_order("acme", "rope"),
        store.add_order("globex", "anvil"),
    ]
    assert ids == [1, 2, 1], f"add_order returned the ids {ids}, expected [1, 2, 1]"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Declare orders once, Table("orders", schema_metadata, ..., schema="tenant"), and run '
    'each add_order / list_orders on conn.execution_options(schema_translate_map={"tenant": '
    "tenant}), built from that call's tenant. A Table per tenant, or SQL text with the name in "
    "it, is what the task rules out."
)
def test_schema_store_translates_one_orders_table_per_call(learner, engine):
    store = store_with(learner, "SchemaTenantStore", engine, {"acme": [], "globex": []})
    tables = []
    for tenant, item in (("acme", "anvil"), ("globex", "rope"), ("acme", "glue")):
        for call, args in (("add_order", (tenant, item)), ("list_orders", (tenant,))):
            with ExecutedStatements(engine) as seen:
                getattr(store, call)(*args)
            on_orders = seen.on_orders()
            assert on_orders, (
                f"SchemaTenantStore.{call}{args} executed no statement built on an orders Table "
                f"(it executed {[str(s)[:80] for s, _ in seen.executed]}): SQL text, or none"
            )
            for table, schema_map in on_orders:
                target = schema_map.get(table.schema, table.schema)
                assert target == tenant, (
                    f"SchemaTenantStore.{call}{args} ran a statement on the orders Table of "
                    f"schema {table.schema!r} with schema_translate_map={schema_map!r}: it "
                    f"reaches {target!r}, not {tenant!r}"
                )
                tables.append(table)
    assert len({id(table) for table in tables}) == 1, (
        f"SchemaTenantStore used {len({id(t) for t in tables})} different orders Table objects "
        "for two tenants: declare the table once and translate its schema"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    'conn.execute(text("ATTACH DATABASE \':memory:\' AS :name"), {"name": name}) (or '
    "exec_driver_sql with ?): SQLite takes the name as a bound parameter."
)
def test_schema_store_attaches_with_the_name_as_a_parameter(learner, engine, sql_counter):
    store = make_store(learner, "SchemaTenantStore", engine)
    with sql_counter(engine) as counted:
        store.create_tenant("initech")
    attaches = [s for s in flat(counted.statements) if s.upper().startswith("ATTACH")]
    assert attaches, f"create_tenant('initech') sent no ATTACH (it sent {flat(counted.statements)})"
    pasted = [s for s in attaches if re.search(r"(?i)\binitech\b", s)]
    assert not pasted, (
        f"create_tenant('initech') sent {pasted[0]!r}: the tenant name is pasted into the SQL "
        "text instead of being passed as a parameter"
    )


# ---------------------------------------------------------- Task 3: one contract, two stores


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Check the tenant before touching any table and raise KeyError(tenant) yourself: an empty "
    "list would hide a typo, and an OperationalError ('no such table') is not part of the "
    "contract."
)
@pytest.mark.parametrize("store_name", ["RowTenantStore", "SchemaTenantStore"])
def test_unknown_tenant_is_key_error(learner, engine, store_name):
    store = store_with(learner, store_name, engine, {"acme": ["anvil"]})
    # main and temp are SQLite's own databases, never tenants.
    for ghost, call in itertools.product(("ghost", "main", "temp"), ("list_orders", "add_order")):
        args = (ghost,) if call == "list_orders" else (ghost, "anvil")
        try:
            result = getattr(store, call)(*args)
        except KeyError:
            continue
        except Exception as exc:
            raise AssertionError(
                f"{store_name}.{call}{args} raised {type(exc).__name__}: {exc}, not KeyError"
            ) from None
        raise AssertionError(f"{store_name}.{call}{args} returned {result!r}, not KeyError")
    assert store.list_orders("acme") == ["anvil"], "an unknown tenant changed acme's orders"
    assert attached(engine) == ([] if store_name == "RowTenantStore" else ["acme"]), (
        f"after the calls for the unknown tenants ghost, main and temp, the attached databases are "
        f"{attached(engine)}"
    )
    if store_name == "RowTenantStore":
        rows = sql(engine, "SELECT item FROM orders")
        assert rows == [("anvil",)], f"after add_order('ghost', ...) the orders table holds {rows}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep what a store knows about its tenants in the store or its database, never in a "
    "module-level variable: a second store on a new engine has tenants of its own, with other "
    "ids."
)
@pytest.mark.parametrize("store_name", ["RowTenantStore", "SchemaTenantStore"])
def test_each_store_knows_only_its_own_tenants(learner, engine, db_engine, store_name):
    first = store_with(learner, store_name, engine, {"acme": ["anvil"], "globex": ["rope"]})
    assert first.list_orders("acme") == ["anvil"], "the first store lost acme's orders"
    other = db_engine(foreign_keys=False)
    second = store_with(learner, store_name, other, {"globex": ["glue"]})
    for call in ("list_orders", "add_order"):
        args = ("acme",) if call == "list_orders" else ("acme", "anvil")
        try:
            result = getattr(second, call)(*args)
        except KeyError:
            continue
        except Exception as exc:
            raise AssertionError(
                f"on a second {store_name} (a new engine, only the tenant globex), "
                f"{call}{args} raised {type(exc).__name__}: {exc}, not KeyError"
            ) from None
        raise AssertionError(
            f"on a second {store_name} (a new engine, only the tenant globex), {call}{args} "
            f"returned {result!r}, not KeyError: acme was created in another store"
        )
    second.create_tenant("acme")
    second.add_order("acme", "hammer")
    found = {tenant: second.list_orders(tenant) for tenant in ("globex", "acme")}
    assert found == {"globex": ["glue"], "acme": ["hammer"]}, (
        f"the second {store_name} lists {found}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Validate the name first with TENANT_NAME.fullmatch(name) and reject 'main' and 'temp': in "
    "the schema store the name becomes a database identifier, so both stores accept only "
    "lowercase identifiers."
)
@pytest.mark.parametrize("store_name", ["RowTenantStore", "SchemaTenantStore"])
def test_invalid_tenant_names_are_value_errors(learner, engine, store_name):
    store = make_store(learner, store_name, engine)
    for name in INVALID_NAMES:
        try:
            store.create_tenant(name)
        except ValueError:
            continue
        except Exception as exc:
            raise AssertionError(
                f"{store_name}.create_tenant({name!r}) raised {type(exc).__name__}: {exc}, "
                "not ValueError"
            ) from None
        raise AssertionError(f"{store_name}.create_tenant({name!r}) was accepted")
    for name in ("acme_2", LONGEST_NAME):
        store.create_tenant(name)
        assert store.list_orders(name) == [], f"the new tenant {name!r} has orders"


@pytest.mark.task(3)
@pytest.mark.hint("Creating a tenant that already exists raises ValueError and keeps its orders.")
@pytest.mark.parametrize("store_name", ["RowTenantStore", "SchemaTenantStore"])
def test_duplicate_tenant_is_value_error(learner, engine, store_name):
    store = store_with(learner, store_name, engine, {"acme": ["anvil"]})
    try:
        store.create_tenant("acme")
    except ValueError:
        pass
    except Exception as exc:
        raise AssertionError(
            f"creating acme twice raised {type(exc).__name__}: {exc}, not ValueError"
        ) from None
    else:
        raise AssertionError(f"{store_name} created the tenant acme twice")
    found = store.list_orders("acme")
    assert found == ["anvil"], f"after the refused duplicate, acme's orders are {found!r}"
