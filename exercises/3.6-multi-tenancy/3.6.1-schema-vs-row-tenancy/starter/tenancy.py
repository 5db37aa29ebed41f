"""Two ways to keep tenants apart: a tenant_id on every row, or a schema per tenant."""

import re

from sqlalchemy import (  # noqa: F401  (what the solution needs)
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    text,
)

# A valid tenant name: a lowercase letter, then up to 30 lowercase letters, digits or "_".
# Use TENANT_NAME.fullmatch(name). "main" and "temp" are taken: SQLite names its own databases so.
TENANT_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")


# TODO: Task 1 - the tables of the row-based store: one shared `orders` table
#       (id, tenant_id, item) and a way to register tenants (a `tenants` table, say)
row_metadata = MetaData()


class RowTenantStore:
    """Every tenant's orders in one table, told apart by tenant_id."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # TODO: Task 1 - create the tables

    def create_tenant(self, name: str) -> None:
        # TODO: Task 1 - register the tenant (Task 3: ValueError for a bad or taken name)
        raise NotImplementedError

    def add_order(self, tenant: str, item: str) -> int:
        # TODO: Task 1 - insert the order with the tenant's tenant_id, return its id
        #       (Task 3: KeyError for an unknown tenant)
        raise NotImplementedError

    def list_orders(self, tenant: str) -> list[str]:
        # TODO: Task 1 - the tenant's items in insertion order, filtered in the WHERE clause
        raise NotImplementedError


# TODO: Task 2 - declare the tenant's `orders` table (id, item) ONCE, with a placeholder
#       schema: Table("orders", schema_metadata, ..., schema="tenant")
schema_metadata = MetaData()


class SchemaTenantStore:
    """One attached database (SQLite's stand-in for a schema) per tenant."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_tenant(self, name: str) -> None:
        # TODO: Task 2 - ATTACH DATABASE ':memory:' AS <name>, then create <name>.orders
        #       through conn.execution_options(schema_translate_map={"tenant": name})
        raise NotImplementedError

    def add_order(self, tenant: str, item: str) -> int:
        # TODO: Task 2 - insert into <tenant>.orders, return the new id
        raise NotImplementedError

    def list_orders(self, tenant: str) -> list[str]:
        # TODO: Task 2 - the items of <tenant>.orders in insertion order
        raise NotImplementedError
