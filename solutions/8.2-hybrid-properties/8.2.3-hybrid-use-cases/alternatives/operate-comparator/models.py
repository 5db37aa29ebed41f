"""Four uses of hybrids: a custom comparator, a correlated subquery, a setter, a hybrid method."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Float, ForeignKey, String, and_, cast, func, select
from sqlalchemy.ext.hybrid import Comparator, hybrid_method, hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class CaseInsensitive(Comparator[str]):
    """Compares lower(column) with lower(other): equality that ignores case."""

    def operate(self, op, other, **kwargs):
        return op(func.lower(self.__clause_element__()), func.lower(other))


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
        return self.created_at >= start and self.created_at < end

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
        total = 0
        for transaction in self.transactions:
            total += transaction.amount_cents
        return total

    @balance.inplace.expression
    @classmethod
    def _balance_expression(cls):
        return (
            select(func.ifnull(func.sum(Transaction.amount_cents), 0))
            .where(Transaction.account_id == cls.id)
            .correlate_except(Transaction)
            .scalar_subquery()
            .label("balance")
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
        self.price_cents = round(float(dollars) * 100)

    @price.inplace.expression
    @classmethod
    def _price_expression(cls):
        return cast(cls.price_cents, Float) / 100.0
