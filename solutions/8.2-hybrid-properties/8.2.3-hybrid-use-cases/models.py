"""Four uses of hybrids: a custom comparator, a correlated subquery, a setter, a hybrid method."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ForeignKey, String, and_, func, select
from sqlalchemy.ext.hybrid import Comparator, hybrid_method, hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class CaseInsensitive(Comparator[str]):
    """Compares lower(column) with lower(other): equality that ignores case."""

    def __eq__(self, other):  # type: ignore[override]
        return func.lower(self.__clause_element__()) == func.lower(other)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    _email: Mapped[str] = mapped_column("email", String(200))

    @hybrid_property
    def email(self) -> str:
        return self._email

    @email.inplace.setter
    def _email_setter(self, value: str) -> None:
        self._email = value

    @email.inplace.comparator
    @classmethod
    def _email_comparator(cls) -> CaseInsensitive:
        return CaseInsensitive(cls._email)


class Transaction(Base):
    __tablename__ = "transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount_cents: Mapped[int]
    created_at: Mapped[datetime]

    account: Mapped["Account"] = relationship(back_populates="transactions")

    @hybrid_method
    def is_within(self, start: datetime, end: datetime) -> bool:
        return start <= self.created_at < end

    @is_within.inplace.expression
    @classmethod
    def _is_within_expression(cls, start: datetime, end: datetime):
        return and_(cls.created_at >= start, cls.created_at < end)


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))

    transactions: Mapped[list[Transaction]] = relationship(back_populates="account")

    @hybrid_property
    def balance(self) -> int:
        return sum(t.amount_cents for t in self.transactions)

    @balance.inplace.expression
    @classmethod
    def _balance_expression(cls):
        return (
            select(func.coalesce(func.sum(Transaction.amount_cents), 0))
            .where(Transaction.account_id == cls.id)
            .scalar_subquery()
        )


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price_cents: Mapped[int]

    @hybrid_property
    def price(self) -> Decimal:
        return Decimal(self.price_cents) / 100

    @price.inplace.setter
    def _price_setter(self, dollars: Decimal | int | float) -> None:
        cents = (Decimal(str(dollars)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        self.price_cents = int(cents)

    @price.inplace.expression
    @classmethod
    def _price_expression(cls):
        return cls.price_cents / 100
