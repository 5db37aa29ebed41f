# WRONG: department is declared on Employee, so every employee accepts one.
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
    department: Mapped[str | None] = mapped_column(String(100))

    __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "employee"}


class Manager(Employee):
    reports: Mapped[list[Employee]] = relationship(order_by=Employee.id)

    __mapper_args__ = {"polymorphic_identity": "manager"}
