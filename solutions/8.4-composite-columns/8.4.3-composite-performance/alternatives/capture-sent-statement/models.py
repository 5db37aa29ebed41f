"""Composite columns with a composite index, and a JSON address with an expression index."""

from dataclasses import dataclass

from sqlalchemy import JSON, Index, String, func, literal_column
from sqlalchemy.orm import DeclarativeBase, Mapped, composite, mapped_column
from sqlalchemy.sql.elements import ColumnElement


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


def json_city(address_column) -> ColumnElement[str]:
    """`json_extract(<address>, '$.city')` with the path as a literal in the SQL.

    The same expression builds the index and the query, so SQLite can match them.
    """
    return func.json_extract(address_column, literal_column("'$.city'"))


# Indexes declared after the classes, on the mapped attributes; they attach to the tables
# and are created by Base.metadata.create_all.
Index("ix_customers_city_postal", Customer.city, Customer.postal_code)
Index("ix_customers_json_city", json_city(CustomerJson.address))
