"""A customer with two composite addresses: `address` and `billing`."""

from dataclasses import dataclass  # noqa: F401

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, composite, mapped_column  # noqa: F401


class Base(DeclarativeBase):
    pass


# TODO (Task 1): Address, a dataclass with street, city and postal_code (all str)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))

    # TODO (Task 1): the columns street, city, postal_code (NOT NULL), then
    #   address = composite(...) over them
    # TODO (Task 3): billing_street, billing_city, billing_postal_code (nullable), then
    #   billing = composite(...) over them
