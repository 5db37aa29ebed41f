"""Employees and managers as one class hierarchy (single-table inheritance)."""

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
    # No __tablename__: a Manager is a row of the employees table whose type is "manager".
    # department is a column of that table, so it must allow NULL for plain employees; it is
    # mapped on Manager only, so Employee(department=...) is a TypeError.
    department: Mapped[str | None] = mapped_column(String(100))
    reports: Mapped[list[Employee]] = relationship(order_by=Employee.id)

    __mapper_args__ = {"polymorphic_identity": "manager"}
