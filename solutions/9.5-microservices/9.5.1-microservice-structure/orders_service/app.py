from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from .users_client import UsersClient, UsersUnavailable


class Base(DeclarativeBase):
    """The orders service's own Base: no users table here, only the user's id."""


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]  # a plain column: the users live in another service's database
    item: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int]


class OrderCreate(BaseModel):
    user_id: int
    item: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1)


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    item: str
    quantity: int


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_users_client(request: Request) -> UsersClient:
    return request.app.state.users_client


def create_app(database_url: str, users_client: UsersClient) -> FastAPI:
    engine = create_engine(database_url, connect_args={"check_same_thread": False})

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        Base.metadata.create_all(engine)
        yield
        engine.dispose()

    app = FastAPI(title="orders", lifespan=lifespan)
    app.state.engine = engine
    app.state.sessions = sessionmaker(bind=engine, expire_on_commit=False)
    app.state.users_client = users_client

    @app.post("/orders", status_code=201, response_model=OrderRead)
    async def create_order(
        body: OrderCreate,
        db: Annotated[Session, Depends(get_db)],
        users: Annotated[UsersClient, Depends(get_users_client)],
    ) -> Order:
        try:
            user = await users.get_user(body.user_id)
        except UsersUnavailable:
            raise HTTPException(status_code=503, detail="users service unavailable") from None
        if user is None:
            raise HTTPException(status_code=422, detail="unknown user")
        order = Order(**body.model_dump())
        db.add(order)
        db.commit()
        return order

    @app.get("/orders", response_model=list[OrderRead])
    def list_orders(db: Annotated[Session, Depends(get_db)]):
        return db.scalars(select(Order).order_by(Order.id)).all()

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.get("/ready")
    def ready():
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return {"status": "ready"}

    return app
