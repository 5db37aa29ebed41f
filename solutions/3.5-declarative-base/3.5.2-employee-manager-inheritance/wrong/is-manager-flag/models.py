# WRONG: an is_manager flag instead of a discriminator: no polymorphic loading of Manager rows.
"""Employees and managers as one class hierarchy (single-table inheritance)."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    is_manager: Mapped[bool] = mapped_column(default=False)
    department: Mapped[str | None] = mapped_column(String(100))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    reports: Mapped[list["Employee"]] = relationship(order_by="Employee.id")

    @property
    def type(self) -> str:
        return "manager" if self.is_manager else "employee"


class Manager(Employee):
    def __init__(self, **fields):
        super().__init__(is_manager=True, **fields)
