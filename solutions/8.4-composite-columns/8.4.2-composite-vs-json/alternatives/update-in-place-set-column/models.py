from dataclasses import dataclass

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
    street: Mapped[str] = mapped_column(nullable=False)
    city: Mapped[str] = mapped_column(nullable=False)
    postal_code: Mapped[str] = mapped_column(nullable=False)
    address: Mapped[Address] = composite("street", "city", "postal_code")


class CustomerB(Base):
    __tablename__ = "customers_b"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON()), nullable=False)


def find_by_city_a(session: Session, city: str) -> list[CustomerA]:
    return session.scalars(select(CustomerA).filter_by(city=city).order_by(CustomerA.id)).all()


def find_by_city_b(session: Session, city: str) -> list[CustomerB]:
    q = select(CustomerB).where(CustomerB.address["city"].as_string() == city)
    return session.execute(q.order_by(CustomerB.id.asc())).scalars().all()


def move_a(session: Session, customer_id: int, city: str) -> None:
    c = session.get(CustomerA, customer_id)
    c.address = Address(street=c.street, city=city, postal_code=c.postal_code)
    session.commit()


def move_b(session: Session, customer_id: int, city: str) -> None:
    c = session.get(CustomerB, customer_id)
    c.address.update(city=city)
    session.commit()
