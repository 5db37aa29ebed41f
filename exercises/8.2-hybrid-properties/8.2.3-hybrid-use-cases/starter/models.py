"""Four uses of hybrids: a custom comparator, a correlated subquery, a setter, a hybrid method."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal  # noqa: F401

from sqlalchemy import ForeignKey, String, and_, func, select  # noqa: F401
from sqlalchemy.ext.hybrid import Comparator, hybrid_method, hybrid_property  # noqa: F401
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    _email: Mapped[str] = mapped_column("email", String(200))

    # TODO (Task 1): email, a hybrid over _email (read and set as given) whose == ignores case
    #   in SQL, through a custom Comparator


class Transaction(Base):
    __tablename__ = "transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount_cents: Mapped[int]
    created_at: Mapped[datetime]

    account: Mapped["Account"] = relationship(back_populates="transactions")

    # TODO (Task 4): is_within(start, end), a hybrid method: start <= created_at < end


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))

    transactions: Mapped[list[Transaction]] = relationship(back_populates="account")

    # TODO (Task 2): balance, a hybrid: the sum of the transactions' amount_cents (0 without any),
    #   a correlated scalar subquery in SQL


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price_cents: Mapped[int]

    # TODO (Task 3): price, a hybrid in dollars (a Decimal) with a setter storing cents
