"""The same address stored two ways: a composite over columns, and one JSON column."""

from dataclasses import dataclass, replace

from sqlalchemy import JSON, String, select
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, composite, mapped_column


class Base(DeclarativeBase):
    pass


@dataclass
class Address:
    street: str
    city: str
    postal_code: str


class CustomerA(Base):
    __tablename__ = "customers_a"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    street: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(20))
    address: Mapped[Address] = composite("street", "city", "postal_code")


class CustomerB(Base):
    __tablename__ = "customers_b"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON))


def find_by_city_a(session: Session, city: str) -> list[CustomerA]:
    stmt = select(CustomerA).where(CustomerA.city == city).order_by(CustomerA.id)
    return list(session.scalars(stmt))


def find_by_city_b(session: Session, city: str) -> list[CustomerB]:
    stmt = (
        select(CustomerB)
        .where(CustomerB.address["city"].as_string() == city)
        .order_by(CustomerB.id)
    )
    return list(session.scalars(stmt))


def move_a(session: Session, customer_id: int, city: str) -> None:
    customer = session.get(CustomerA, customer_id)
    customer.address = replace(customer.address, city=city)
    session.commit()


def move_b(session: Session, customer_id: int, city: str) -> None:
    customer = session.get(CustomerB, customer_id)
    customer.address["city"] = city
    session.commit()
