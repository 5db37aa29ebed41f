# ALTERNATIVE: explicit WHERE on tenant_id, a dataclass (session, tenant_id) dependency
"""Alternative: an explicit WHERE on the tenant in every query."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ForeignKey, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("sqlite:///./alt.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine)


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    number: Mapped[str] = mapped_column(String(32))
    total_cents: Mapped[int]


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@dataclass
class TenantSession:
    db: Session
    tenant_id: int


def get_tenant_session(request: Request, db: Annotated[Session, Depends(get_db)]) -> TenantSession:
    slug = request.headers.get("x-tenant-id")
    if not slug:  # missing or empty
        raise HTTPException(400, detail={"error": "missing tenant"})
    tenant_id = db.scalar(select(Tenant.id).where(Tenant.slug == slug))
    if tenant_id is None:
        raise HTTPException(403)
    return TenantSession(db, tenant_id)


class OrderIn(BaseModel):
    number: str = Field(min_length=1, max_length=32)
    total_cents: int = Field(ge=0)

    @model_validator(mode="before")
    @classmethod
    def no_tenant(cls, data):
        if isinstance(data, dict) and "tenant_id" in data:
            raise ValueError("tenant_id is set by the server")
        return data


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    tenant_id: int
    number: str
    total_cents: int


app = FastAPI()
TS = Annotated[TenantSession, Depends(get_tenant_session)]


@app.post("/orders", status_code=201)
def create(body: OrderIn, ts: TS) -> OrderOut:
    order = Order(tenant_id=ts.tenant_id, **body.model_dump())
    ts.db.add(order)
    ts.db.commit()
    ts.db.refresh(order)
    return OrderOut.model_validate(order)


@app.get("/orders")
def index(ts: TS) -> list[OrderOut]:
    rows = ts.db.scalars(select(Order).where(Order.tenant_id == ts.tenant_id).order_by(Order.id))
    return [OrderOut.model_validate(o) for o in rows]


@app.get("/orders/{order_id}")
def show(order_id: int, ts: TS) -> OrderOut:
    order = ts.db.scalar(select(Order).where(Order.id == order_id, Order.tenant_id == ts.tenant_id))
    if order is None:
        raise HTTPException(404, "Not found")
    return OrderOut.model_validate(order)
