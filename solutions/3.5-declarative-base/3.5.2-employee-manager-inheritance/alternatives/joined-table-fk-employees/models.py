# ALTERNATIVE: joined-table inheritance, manager_id -> employees.id, back-populated
"""Joined-table inheritance, manager_id -> employees.id."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Employee(Base):
    __tablename__ = "employees"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    manager: Mapped["Manager | None"] = relationship(
        back_populates="reports", foreign_keys=[manager_id], remote_side=lambda: Employee.id
    )
    __mapper_args__ = {"polymorphic_on": type, "polymorphic_identity": "employee"}


class Manager(Employee):
    __tablename__ = "managers"
    id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    department: Mapped[str] = mapped_column(String(100))
    reports: Mapped[list[Employee]] = relationship(
        back_populates="manager",
        foreign_keys=lambda: [Employee.manager_id],
        primaryjoin=lambda: Employee.manager_id == Manager.id,
    )
    __mapper_args__ = {"polymorphic_identity": "manager"}
