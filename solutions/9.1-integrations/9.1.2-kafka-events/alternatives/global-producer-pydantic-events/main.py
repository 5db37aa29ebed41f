import os
import uuid
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from events import OrderCreated, OrderPayload
from fastapi import Depends, FastAPI, HTTPException
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


_producer: AIOKafkaProducer | None = None


@asynccontextmanager
async def lifespan(app):
    global _producer
    servers = os.getenv("KAFKA_BOOTSTRAP")
    if servers:
        _producer = AIOKafkaProducer(bootstrap_servers=servers.split(","))
        await _producer.start()
    yield
    if _producer is not None:
        await _producer.stop()
        _producer = None


app = FastAPI(lifespan=lifespan)


def get_producer():
    if _producer is None:
        raise HTTPException(503, "Kafka is not configured")
    return _producer


class NewOrder(BaseModel):
    customer: str = Field(min_length=1, max_length=100)
    amount_cents: int = Field(gt=0)


@app.post("/orders", status_code=201)
async def create_order(
    new: NewOrder,
    db: Annotated[Session, Depends(get_db)],
    producer: Annotated[AIOKafkaProducer, Depends(get_producer)],
):
    order = Order(**new.model_dump())
    db.add(order)
    db.flush()  # the id; nothing is committed before Kafka acknowledged the event
    event = OrderCreated(
        event_id=str(uuid.uuid4()),
        type="order.created",
        payload=OrderPayload(order_id=order.id, **new.model_dump()),
    )
    try:
        await producer.send_and_wait(
            "orders.created",
            value=event.model_dump_json().encode(),
            key=f"{order.id}".encode(),
        )
    except KafkaError as exc:
        db.rollback()
        raise HTTPException(503, "could not publish the order") from exc
    db.commit()
    return {
        "id": order.id,
        "customer": order.customer,
        "amount_cents": order.amount_cents,
    }
