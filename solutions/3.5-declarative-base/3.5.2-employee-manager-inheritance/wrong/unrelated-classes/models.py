# WRONG: Manager is a second, unrelated model on its own table, not a subclass of Employee.
"""Employees and managers as one class hierarchy (single-table inheritance)."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20), default="employee")
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id"))


class Manager(Base):
    __tablename__ = "managers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20), default="manager")
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id"))
    department: Mapped[str | None] = mapped_column(String(100))
    reports: Mapped[list[Employee]] = relationship(order_by=Employee.id)
