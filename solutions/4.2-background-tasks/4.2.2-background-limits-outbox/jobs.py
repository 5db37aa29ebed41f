"""A durable job table and the worker step that processes it."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

MAX_ATTEMPTS = 3


class Base(DeclarativeBase):
    pass


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


def process_pending_jobs(session: Session, handler: Callable[[dict], Any]) -> int:
    """Try every pending job once, in id order; return how many jobs were tried."""
    pending = session.scalars(select(Job).where(Job.status == "pending").order_by(Job.id)).all()
    for job in pending:
        job.attempts += 1
        try:
            handler(job.payload)
        except Exception as exc:  # a crash (KeyboardInterrupt, SystemExit) is not caught
            job.last_error = str(exc)
            if job.attempts >= MAX_ATTEMPTS:
                job.status = "failed"
        else:
            job.status = "done"
        session.commit()  # each job's outcome is kept even if a later one crashes the worker
    return len(pending)
