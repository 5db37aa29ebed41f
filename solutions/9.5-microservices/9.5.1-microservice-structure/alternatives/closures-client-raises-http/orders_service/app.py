from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .users_client import UsersClient


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    item: Mapped[str]
    quantity: Mapped[int]


class OrderIn(BaseModel):
    user_id: int
    item: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1)


def to_json(o):
    return {"id": o.id, "user_id": o.user_id, "item": o.item, "quantity": o.quantity}


def create_app(database_url: str, users_client: UsersClient) -> FastAPI:
    engine = create_engine(database_url, connect_args={"check_same_thread": False})

    def db():
        with Session(engine) as s:
            yield s

    @asynccontextmanager
    async def lifespan(app):
        Base.metadata.create_all(engine)
        yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/orders", status_code=201)
    async def create_order(data: OrderIn, s: Session = Depends(db)):
        await users_client.ensure_user(data.user_id)
        order = Order(**data.model_dump())
        s.add(order)
        s.commit()
        return to_json(order)

    @app.get("/orders")
    def list_orders(s: Session = Depends(db)):
        return [to_json(o) for o in s.scalars(select(Order).order_by(Order.id))]

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.get("/ready")
    def ready():
        try:
            with engine.connect() as c:
                c.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return {"status": "ready"}

    return app
