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

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    street: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(20))
    address: Mapped[Address] = composite("street", "city", "postal_code")


class CustomerJson(Base):
    __tablename__ = "customers_json"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[dict] = mapped_column(JSON)


Index("ix_customers_city_postal", Customer.city, Customer.postal_code)
from sqlalchemy import func  # noqa: E402

Index("ix_customers_json_city", func.json_extract(CustomerJson.address, "$.city"))
