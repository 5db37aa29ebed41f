from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

MAX_ATTEMPTS = 3


class Base(DeclarativeBase):
    pass


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), insert_default="pending")
    attempts: Mapped[int] = mapped_column(insert_default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), insert_default=None)


def process_pending_jobs(session: Session, handler: Callable[[dict], Any]) -> int:
    ids = list(session.scalars(select(Job.id).where(Job.status == "pending").order_by(Job.id)))
    for job_id in ids:
        job = session.get(Job, job_id)
        try:
            handler(job.payload)
            job.status = "done"
        except Exception as e:
            job.last_error = str(e)[:500]
            if job.attempts + 1 >= MAX_ATTEMPTS:
                job.status = "failed"
        finally:
            job.attempts += 1
            session.commit()
    return len(ids)
