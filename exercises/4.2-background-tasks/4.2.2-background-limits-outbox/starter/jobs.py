"""A durable job table and the worker step that processes it."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

MAX_ATTEMPTS = 3


class Base(DeclarativeBase):
    pass


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # TODO (Task 2): payload (JSON), status, attempts, last_error


def process_pending_jobs(session: Session, handler: Callable[[dict], Any]) -> int:
    """Try every pending job once, in id order; return how many jobs were tried."""
    # TODO (Task 3)
    raise NotImplementedError("process_pending_jobs")
