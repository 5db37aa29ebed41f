import json
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from events import ORDERS_TOPIC, order_created_event
from fastapi import Depends, FastAPI, HTTPException, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("sqlite:///./orders.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(engine)


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer: Mapped[str] = mapped_column(String(100))
    amount_cents: Mapped[int]


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.producer = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP")
    if bootstrap:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        app.state.producer = producer
    try:
        yield
    finally:
        if app.state.producer is not None:
            await app.state.producer.stop()


app = FastAPI(lifespan=lifespan)


def get_producer(request: Request) -> AIOKafkaProducer:
    producer = getattr(request.app.state, "producer", None)
    if producer is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no event broker configured")
    return producer


class OrderIn(BaseModel):
    customer: str = Field(min_length=1, max_length=100)
    amount_cents: int = Field(gt=0)


class OrderOut(BaseModel):
    id: int
    customer: str
    amount_cents: int


@app.post("/orders", status_code=status.HTTP_201_CREATED, response_model=OrderOut)
async def create_order(
    order_in: OrderIn,
    db: Annotated[Session, Depends(get_db)],
    producer: Annotated[AIOKafkaProducer, Depends(get_producer)],
) -> Order:
    order = Order(customer=order_in.customer, amount_cents=order_in.amount_cents)
    db.add(order)
    db.flush()  # the id, inside a transaction that is not committed yet
    event = order_created_event(order.id, order.customer, order.amount_cents)
    try:
        await producer.send_and_wait(
            ORDERS_TOPIC,
            value=json.dumps(event).encode(),
            key=str(order.id).encode(),
        )
    except KafkaError:
        db.rollback()  # no event, no order
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "event broker unavailable")
    db.commit()
    return order
