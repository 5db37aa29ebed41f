"""Composite columns with a composite index, and a JSON address with an expression index."""

from dataclasses import dataclass

from sqlalchemy import JSON, Index, String, text  # noqa: F401
from sqlalchemy.orm import DeclarativeBase, Mapped, composite, mapped_column


class Base(DeclarativeBase):
    pass


@dataclass
class Address:
    street: str
    city: str
    postal_code: str


class Customer(Base):
    __tablename__ = "customers"
    # TODO (Task 1): __table_args__ with Index("ix_customers_city_postal", ...)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    street: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(20))
    address: Mapped[Address] = composite("street", "city", "postal_code")


class CustomerJson(Base):
    __tablename__ = "customers_json"
    # TODO (Task 3): __table_args__ with Index("ix_customers_json_city", <json_extract expression>)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[dict] = mapped_column(JSON)
