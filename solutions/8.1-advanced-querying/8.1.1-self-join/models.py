"""A User table whose rows point at their manager: a self-referencing foreign key."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # many-to-one: remote_side says which end of the self join is "the one"
    manager: Mapped["User | None"] = relationship(remote_side=[id], back_populates="reports")
    # one-to-many: the users whose manager_id is this user's id
    reports: Mapped[list["User"]] = relationship(back_populates="manager")
