"""Both hybrids with an explicit SQL side; the display built with format()."""

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
        text = "${:,}.{:02d}".format(abs(self.balance_cents) // 100, abs(self.balance_cents) % 100)
        return "-" + text if self.balance_cents < 0 else text

    @hybrid_property
    def is_overdrawn(self) -> bool:
        return bool(self.balance_cents < 0)

    @is_overdrawn.inplace.expression
    @classmethod
    def _is_overdrawn(cls):
        return cls.balance_cents < 0

    @hybrid_property
    def name_length(self) -> int:
        return len(self.owner_name or "")

    @name_length.inplace.expression
    @classmethod
    def _name_length(cls):
        return func.coalesce(func.length(cls.owner_name), 0)
