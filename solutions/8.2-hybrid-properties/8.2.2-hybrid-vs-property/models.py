"""An Account with one plain property (Python only) and two hybrids (Python and SQL)."""

from sqlalchemy import String, func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_name: Mapped[str] = mapped_column(String(100))
    balance_cents: Mapped[int] = mapped_column(default=0)

    @property
    def balance_display(self) -> str:
        sign = "-" if self.balance_cents < 0 else ""
        dollars, cents = divmod(abs(self.balance_cents), 100)
        return f"{sign}${dollars:,}.{cents:02d}"

    @hybrid_property
    def is_overdrawn(self) -> bool:
        return self.balance_cents < 0

    @hybrid_property
    def name_length(self) -> int:
        return len(self.owner_name)

    @name_length.inplace.expression
    @classmethod
    def _name_length_expression(cls):
        return func.length(cls.owner_name)
