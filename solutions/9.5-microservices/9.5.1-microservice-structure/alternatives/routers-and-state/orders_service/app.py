from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Integer, String, create_engine, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from orders_service.users_client import UsersClient, UsersServiceError


class OrdersBase(DeclarativeBase):
    pass


class Order(OrdersBase):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    item: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(Integer)


class OrderIn(BaseModel):
    user_id: int
    item: Annotated[str, Field(min_length=1, max_length=100)]
    quantity: Annotated[int, Field(ge=1)]


def as_dict(order: Order) -> dict:
    return {
        "id": order.id,
        "user_id": order.user_id,
        "item": order.item,
        "quantity": order.quantity,
    }


def session_dep(request: Request):
    with Session(request.app.state.engine) as session:
        yield session


def users_dep(request: Request) -> UsersClient:
    return request.app.state.users


router = APIRouter()


@router.post("/orders", status_code=201)
async def place_order(
    order_in: OrderIn,
    session: Annotated[Session, Depends(session_dep)],
    users: Annotated[UsersClient, Depends(users_dep)],
):
    try:
        user = await users.get_user(order_in.user_id)
    except UsersServiceError:
        return JSONResponse({"detail": "users service unavailable"}, status_code=503)
    if user is None:
        raise HTTPException(422, "unknown user")
    order = Order(**order_in.model_dump())
    session.add(order)
    session.commit()
    return as_dict(order)


@router.get("/orders")
def all_orders(session: Annotated[Session, Depends(session_dep)]):
    return [as_dict(o) for o in session.scalars(select(Order).order_by(Order.id))]


@router.get("/health")
def health():
    return {"status": "ok"}


@router.get("/ready")
def ready(request: Request):
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception:
        return JSONResponse({"status": "down"}, status_code=503)
    return {"status": "ready"}


def create_app(database_url: str, users_client: UsersClient) -> FastAPI:
    engine = create_engine(database_url, connect_args={"check_same_thread": False})

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        OrdersBase.metadata.create_all(engine)
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(lifespan=lifespan)
    app.state.engine = engine
    app.state.users = users_client
    app.include_router(router)
    return app
