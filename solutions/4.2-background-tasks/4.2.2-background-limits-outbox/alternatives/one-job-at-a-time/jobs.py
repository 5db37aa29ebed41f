"""Server-side defaults, a status enum, and a worker that claims one job per query."""

from collections.abc import Callable
from enum import StrEnum

from sqlalchemy import JSON, Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

MAX_ATTEMPTS = 3


class Status(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class Base(DeclarativeBase):
    pass


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(10), server_default=Status.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


def next_pending(session: Session, after_id: int) -> Job | None:
    query = (
        select(Job).where(Job.status == Status.PENDING, Job.id > after_id).order_by(Job.id).limit(1)
    )
    return session.scalars(query).first()


def process_pending_jobs(session: Session, handler: Callable[[dict], object]) -> int:
    tried = 0
    last_id = 0
    while (job := next_pending(session, last_id)) is not None:
        last_id = job.id
        tried += 1
        try:
            handler(job.payload)
        except Exception as exc:
            job.attempts += 1
            job.last_error = str(exc)
            job.status = Status.FAILED if job.attempts >= MAX_ATTEMPTS else Status.PENDING
        else:
            job.attempts += 1
            job.status = Status.DONE
            job.last_error = None
        session.commit()
    return tried
