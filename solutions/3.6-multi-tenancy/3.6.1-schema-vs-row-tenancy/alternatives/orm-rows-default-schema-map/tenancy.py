# ALTERNATIVE: ORM row store joined on tenant name; schema map for the default schema
import re

from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    event,
    insert,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

TENANT_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")


def _check(name):
    if not TENANT_NAME.fullmatch(name or "") or name in ("main", "temp"):
        raise ValueError(name)


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(31), unique=True)


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    item: Mapped[str]


class RowTenantStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        Base.metadata.create_all(engine)

    def _tenant(self, session, name):
        tenant = session.scalar(select(Tenant).where(Tenant.name == name))
        if tenant is None:
            raise KeyError(name)
        return tenant

    def create_tenant(self, name):
        _check(name)
        with Session(self.engine) as session:
            if session.scalar(select(Tenant.id).where(Tenant.name == name)):
                raise ValueError(name)
            session.add(Tenant(name=name))
            session.commit()

    def add_order(self, tenant, item):
        with Session(self.engine) as session:
            order = Order(tenant_id=self._tenant(session, tenant).id, item=item)
            session.add(order)
            session.commit()
            return order.id

    def list_orders(self, tenant):
        with Session(self.engine) as session:
            self._tenant(session, tenant)
            return list(
                session.scalars(
                    select(Order.item).join(Tenant).where(Tenant.name == tenant).order_by(Order.id)
                )
            )


md = MetaData()
orders = Table("orders", md, Column("id", Integer, primary_key=True), Column("item", String))


class SchemaTenantStore:
    def __init__(self, engine):
        self.engine = engine
        event.listen(engine, "connect", self._on_connect)

    def _on_connect(self, dbapi_conn, record):  # a new pooled connection: nothing to attach yet
        pass

    def _names(self, conn):
        return {row[1] for row in conn.exec_driver_sql("PRAGMA database_list")} - {"main", "temp"}

    def create_tenant(self, name):
        _check(name)
        with self.engine.begin() as conn:
            if name in self._names(conn):
                raise ValueError(name)
            conn.exec_driver_sql("ATTACH DATABASE ':memory:' AS ?", (name,))
            md.create_all(conn.execution_options(schema_translate_map={None: name}))

    def _scoped(self, conn, tenant):
        if tenant not in self._names(conn):
            raise KeyError(tenant)
        return conn.execution_options(schema_translate_map={None: tenant})

    def add_order(self, tenant, item):
        with self.engine.begin() as conn:
            return (
                self._scoped(conn, tenant)
                .execute(insert(orders).values(item=item))
                .inserted_primary_key[0]
            )

    def list_orders(self, tenant):
        with self.engine.connect() as conn:
            return (
                self._scoped(conn, tenant)
                .scalars(select(orders.c.item).order_by(orders.c.id))
                .all()
            )
