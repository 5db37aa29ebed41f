"""The same address stored two ways: a composite over columns, and one JSON column."""

from dataclasses import dataclass, replace  # noqa: F401

from sqlalchemy import JSON, String, select  # noqa: F401
from sqlalchemy.ext.mutable import MutableDict  # noqa: F401
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, composite, mapped_column  # noqa: F401


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
    # TODO (Task 1): street, city, postal_code (NOT NULL) and address = composite(...)


class CustomerB(Base):
    __tablename__ = "customers_b"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # TODO (Task 2): address, one JSON column whose in-place changes are saved


def find_by_city_a(session: Session, city: str) -> list[CustomerA]:
    raise NotImplementedError  # TODO (Task 1)


def find_by_city_b(session: Session, city: str) -> list[CustomerB]:
    raise NotImplementedError  # TODO (Task 2)


def move_a(session: Session, customer_id: int, city: str) -> None:
    raise NotImplementedError  # TODO (Task 1)


def move_b(session: Session, customer_id: int, city: str) -> None:
    raise NotImplementedError  # TODO (Task 2)
