"""Employees and managers as one class hierarchy."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


# TODO: Task 1 - class Employee(Base) on the table "employees": id, name, type (the
#   discriminator) and manager_id (a foreign key to another employee), with
#   __mapper_args__ = {"polymorphic_on": ..., "polymorphic_identity": "employee"}.


# TODO: Task 2 - class Manager(Employee) with the identity "manager" and a department.
#   Single-table or joined-table inheritance: your choice.


# TODO: Task 3 - Manager.reports: the employees whose manager_id is this manager's id.
