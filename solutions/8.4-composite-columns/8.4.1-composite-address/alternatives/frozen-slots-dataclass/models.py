from dataclasses import dataclass
from typing import Optional

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, composite, mapped_column


class Base(DeclarativeBase):
    pass


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    city: str
    postal_code: str


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    street: Mapped[str] = mapped_column("street", String(120), nullable=False)
    city: Mapped[str] = mapped_column("city", String(80), nullable=False)
    postal_code: Mapped[str] = mapped_column("postal_code", String(10), nullable=False)
    address: Mapped[Address] = composite("street", "city", "postal_code")
    billing_street: Mapped[Optional[str]] = mapped_column()
    billing_city: Mapped[Optional[str]] = mapped_column()
    billing_postal_code: Mapped[Optional[str]] = mapped_column()
    billing: Mapped[Optional[Address]] = composite(
        "billing_street", "billing_city", "billing_postal_code"
    )
