"""Tenant isolation in one place: a session that filters and stamps every TenantScoped row."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, String, create_engine, event, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    UOWTransaction,
    mapped_column,
    sessionmaker,
    with_loader_criteria,
)

DATABASE_URL = "sqlite:///./tenants.db"

engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)

TENANT_KEY = "tenant_id"  # where a tenant session keeps its tenant: session.info[TENANT_KEY]


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)


class TenantScoped:
    """Mixin for rows owned by a tenant: tenant sessions filter and stamp them."""

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)


class Order(TenantScoped, Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    total_cents: Mapped[int]


# ----------------------------------------------------------------- the session-level filter
# Both hooks listen on every Session but act only on sessions that carry a tenant in .info,
# so whoever created the session (SessionLocal, a test's sessionmaker) does not matter.


@event.listens_for(Session, "do_orm_execute")
def _only_the_tenants_rows(state: ORMExecuteState) -> None:
    tenant_id = state.session.info.get(TENANT_KEY)
    if tenant_id is None or state.is_column_load or state.is_relationship_load:
        return  # no tenant session; or loading more of an object this filter already allowed
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(
            with_loader_criteria(
                TenantScoped,
                lambda cls: cls.tenant_id == tenant_id,
                include_aliases=True,
            )
        )


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is None:
        return
    for obj in session.new:
        if isinstance(obj, TenantScoped):
            obj.tenant_id = tenant_id


# ------------------------------------------------------------------------------ dependencies


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


def get_tenant(db: DbSession, x_tenant_id: Annotated[str | None, Header()] = None) -> Tenant:
    if not x_tenant_id:  # missing, or empty (X-Tenant-ID: ): both are a missing tenant
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the X-Tenant-ID header is required")
    tenant = db.scalar(select(Tenant).where(Tenant.slug == x_tenant_id))
    if tenant is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "unknown tenant")
    return tenant


def get_tenant_session(tenant: Annotated[Tenant, Depends(get_tenant)], db: DbSession) -> Session:
    """The request's session (the same one get_tenant used), bound to the caller's tenant."""
    db.info[TENANT_KEY] = tenant.id
    return db


TenantSession = Annotated[Session, Depends(get_tenant_session)]


# ----------------------------------------------------------------------------------- schemas


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a tenant_id in the body is a 422

    number: str = Field(min_length=1, max_length=32)
    total_cents: int = Field(ge=0)


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    total_cents: int


# ---------------------------------------------------------------------------------- the app


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.post("/orders", response_model=OrderRead, status_code=status.HTTP_201_CREATED)
def create_order(payload: OrderCreate, db: TenantSession) -> Order:
    order = Order(**payload.model_dump())  # before_flush sets tenant_id
    db.add(order)
    db.commit()
    return order


@app.get("/orders", response_model=list[OrderRead])
def list_orders(db: TenantSession) -> list[Order]:
    return list(db.scalars(select(Order).order_by(Order.id)))


@app.get("/orders/{order_id}", response_model=OrderRead)
def read_order(order_id: int, db: TenantSession) -> Order:
    order = db.get(Order, order_id)
    if order is None:  # missing, or another tenant's: the same answer, so nothing leaks
        raise HTTPException(status.HTTP_404_NOT_FOUND, "order not found")
    return order
