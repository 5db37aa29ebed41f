"""Composites declared with the class and the column attributes themselves."""

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import String
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
    name: Mapped[str] = mapped_column(String(100), nullable=False)

    street: Mapped[str] = mapped_column(String(200), nullable=False)
    city: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    postal_code: Mapped[str] = mapped_column(String(20), nullable=False)
    address: Mapped[Address] = composite(Address, street, city, postal_code)

    billing_street: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    billing_city: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    billing_postal_code: Mapped[Optional[str]] = mapped_column(String(20), nullable=True)
    billing: Mapped[Optional[Address]] = composite(
        Address,
        billing_street,
        billing_city,
        billing_postal_code,
        return_none_on=lambda *values: all(v is None for v in values),
    )
