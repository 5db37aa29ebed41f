# ALTERNATIVE: row store with an in-memory tenant registry, tenant name as tenant_id
"""Two ways to keep tenants apart in one database server.

- RowTenantStore: one shared `orders` table; every row carries a `tenant_id`, and every query
  filters on it in SQL.
- SchemaTenantStore: one schema per tenant holding its own `orders` table. SQLite has no
  schemas, so each tenant is an attached database; one Table definition with a placeholder
  schema is pointed at the right one with `schema_translate_map`.
"""

import re

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    text,
)

TENANT_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")
RESERVED_NAMES = frozenset({"main", "temp"})  # SQLite's own schema names


def check_tenant_name(name: str) -> None:
    if not isinstance(name, str) or not TENANT_NAME.fullmatch(name) or name in RESERVED_NAMES:
        raise ValueError(f"invalid tenant name: {name!r}")


row_metadata = MetaData()
shared_orders = Table(
    "orders",
    row_metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant_id", String(31), nullable=False, index=True),
    Column("item", String, nullable=False),
)


class RowTenantStore:
    def __init__(self, engine):
        self.engine = engine
        self.known = set()
        row_metadata.create_all(engine)

    def create_tenant(self, name):
        check_tenant_name(name)
        if name in self.known:
            raise ValueError(name)
        self.known.add(name)

    def _k(self, t):
        if t not in self.known:
            raise KeyError(t)

    def add_order(self, tenant, item):
        self._k(tenant)
        with self.engine.begin() as conn:
            return conn.execute(
                insert(shared_orders).values(tenant_id=tenant, item=item)
            ).inserted_primary_key[0]

    def list_orders(self, tenant):
        self._k(tenant)
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    select(shared_orders)
                    .where(shared_orders.c.tenant_id == tenant)
                    .order_by(shared_orders.c.id)
                )
                .scalars("item")
                .all()
                if False
                else [
                    r.item
                    for r in conn.execute(
                        select(shared_orders)
                        .where(shared_orders.c.tenant_id == tenant)
                        .order_by(shared_orders.c.id)
                    )
                ]
            )


# --------------------------------------------------------------------- schema-based tenancy

TENANT_SCHEMA = "tenant"  # a placeholder, replaced by the real schema at execution time

schema_metadata = MetaData()

tenant_orders = Table(
    "orders",
    schema_metadata,
    Column("id", Integer, primary_key=True),
    Column("item", String(200), nullable=False),
    schema=TENANT_SCHEMA,
)


class SchemaTenantStore:
    """One attached database (SQLite's stand-in for a schema) per tenant."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._tenants: set[str] = set()

    def create_tenant(self, name: str) -> None:
        check_tenant_name(name)
        if name in self._tenants:
            raise ValueError(f"tenant {name!r} already exists")
        with self.engine.begin() as conn:
            # The schema name is a bound parameter here: SQLite accepts an expression.
            conn.execute(text("ATTACH DATABASE ':memory:' AS :name"), {"name": name})
            schema_metadata.create_all(self._scoped(conn, name))
        self._tenants.add(name)

    def add_order(self, tenant: str, item: str) -> int:
        with self.engine.begin() as conn:
            result = self._scoped(conn, self._known(tenant)).execute(
                insert(tenant_orders).values(item=item)
            )
            return result.inserted_primary_key[0]

    def list_orders(self, tenant: str) -> list[str]:
        with self.engine.connect() as conn:
            scoped = self._scoped(conn, self._known(tenant))
            return list(scoped.scalars(select(tenant_orders.c.item).order_by(tenant_orders.c.id)))

    def _known(self, tenant: str) -> str:
        if tenant not in self._tenants:
            raise KeyError(tenant)
        return tenant

    @staticmethod
    def _scoped(conn: Connection, tenant: str) -> Connection:
        """The same connection, with "tenant".orders rendered as "<tenant>".orders."""
        return conn.execution_options(schema_translate_map={TENANT_SCHEMA: tenant})
