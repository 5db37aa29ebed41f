"""An Account with one plain property (Python only) and two hybrids (Python and SQL)."""

from sqlalchemy import String, func  # noqa: F401
from sqlalchemy.ext.hybrid import hybrid_property  # noqa: F401
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_name: Mapped[str] = mapped_column(String(100))
    balance_cents: Mapped[int] = mapped_column(default=0)

    # TODO (Task 1): balance_display, a plain @property: "$1,234.56", "-$5.00", "$0.00"

    # TODO (Task 2): is_overdrawn, a hybrid property: True when the balance is below zero

    # TODO (Task 3): name_length, a hybrid property: len() in Python, func.length() in SQL
