from collections.abc import Iterator

from fastapi import FastAPI
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


# TODO: a lifespan that starts an AIOKafkaProducer only when KAFKA_BOOTSTRAP is set, and stops it.
app = FastAPI()


def get_producer():
    # TODO: return the lifespan's producer; 503 when there is none.
    raise NotImplementedError


# TODO: POST /orders stores the order, publishes order.created, answers 201 (503 on KafkaError).
