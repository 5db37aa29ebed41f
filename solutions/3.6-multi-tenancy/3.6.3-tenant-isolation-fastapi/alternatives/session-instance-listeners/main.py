# ALTERNATIVE: do_orm_execute/before_flush listeners on the request's session instance
"""Alternative: listeners attached to the request's session instance; async handlers."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, String, create_engine, event, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    sessionmaker,
    with_loader_criteria,
)

engine = create_engine("sqlite:///./altb.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine)


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)


class TenantScoped:
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)


class Order(TenantScoped, Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    total_cents: Mapped[int]


def get_db() -> Iterator[Session]:
    with SessionLocal() as s:
        yield s


def get_tenant_session(
    db: Annotated[Session, Depends(get_db)],
    x_tenant_id: Annotated[str | None, Header(alias="X-Tenant-ID")] = None,
) -> Session:
    if not x_tenant_id:
        raise HTTPException(400, "X-Tenant-ID required")
    tenant = db.scalars(select(Tenant).filter_by(slug=x_tenant_id)).first()
    if tenant is None:
        raise HTTPException(403, "forbidden")
    tid = tenant.id

    @event.listens_for(db, "do_orm_execute")
    def scope(state):
        if state.is_select and not state.is_column_load and not state.is_relationship_load:
            state.statement = state.statement.options(
                with_loader_criteria(
                    TenantScoped, lambda cls: cls.tenant_id == tid, include_aliases=True
                )
            )

    @event.listens_for(db, "before_flush")
    def stamp(session, ctx, instances):
        for obj in session.new:
            if isinstance(obj, TenantScoped):
                obj.tenant_id = tid

    return db


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=1, max_length=32)
    total_cents: int = Field(ge=0)


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: str
    total_cents: int


app = FastAPI()
DB = Annotated[Session, Depends(get_tenant_session)]


@app.post("/orders", response_model=OrderRead, status_code=201)
async def create(body: OrderCreate, db: DB):
    o = Order(**body.model_dump())
    db.add(o)
    db.commit()
    db.refresh(o)
    return o


@app.get("/orders", response_model=list[OrderRead])
async def index(db: DB):
    return db.scalars(select(Order).order_by(Order.id)).all()


@app.get("/orders/{order_id}", response_model=OrderRead)
async def show(order_id: int, db: DB):
    o = db.scalars(select(Order).where(Order.id == order_id)).one_or_none()
    if o is None:
        raise HTTPException(404)
    return o
