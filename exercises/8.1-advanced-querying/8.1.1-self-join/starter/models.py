"""A User table whose rows point at their manager: a self-referencing foreign key."""

from sqlalchemy import ForeignKey, String  # noqa: F401
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship  # noqa: F401


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))

    # TODO (Task 1): the foreign key to the manager's row, and the two relationships
    #   manager (many-to-one, None for the root) and reports (one-to-many)
