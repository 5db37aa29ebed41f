# WRONG: joined-table layout whose bare relationship() follows managers.id -> employees.id.
"""Employees and managers as one class hierarchy (joined-table inheritance)."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))  # the discriminator
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))

    __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "employee"}


class Manager(Employee):
    __tablename__ = "managers"

    id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    department: Mapped[str] = mapped_column(String(100))
    reports: Mapped[list[Employee]] = relationship()

    __mapper_args__ = {"polymorphic_identity": "manager"}
