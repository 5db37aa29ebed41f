"""Students' submission tokens, kept in the gradebook beside their grades.

A token is shown once, when made; the gradebook keeps only its SHA-256, so a copy of the
database gives nobody a way to submit as a student. Making a new token for a student replaces
the old one (a lost or leaked token is revoked by making another)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from ..gradebook import Base, Gradebook, Student, _get_or_add, _name, _now

PREFIX = "gst_"  # says what it is when it turns up in a shell history or a paste


class StudentToken(Base):
    __tablename__ = "student_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ensure_table(gradebook: Gradebook) -> None:
    """Gradebooks made before tokens gain their table (create_all makes only what is missing)."""
    StudentToken.__table__.create(gradebook.engine, checkfirst=True)


def make_token(gradebook: Gradebook, student: str) -> str:
    """A new token for this student (added to the gradebook when new); the old one stops working."""
    token = PREFIX + secrets.token_urlsafe(24)
    with gradebook.session() as session, session.begin():
        person = _get_or_add(session, Student, name=_name(student))
        row = session.scalar(select(StudentToken).where(StudentToken.student_id == person.id))
        if row is None:
            session.add(StudentToken(student_id=person.id, digest=_digest(token)))
        else:
            row.digest, row.created_at = _digest(token), _now()
    return token


def student_of(gradebook: Gradebook, token: str) -> str | None:
    """The student this token belongs to, or None."""
    if not token.startswith(PREFIX):
        return None
    with gradebook.session() as session:
        return session.scalar(
            select(Student.name)
            .join(StudentToken, StudentToken.student_id == Student.id)
            .where(StudentToken.digest == _digest(token))
        )


def holders(gradebook: Gradebook) -> dict[str, datetime]:
    """student → when their current token was made."""
    with gradebook.session() as session:
        rows = session.execute(
            select(Student.name, StudentToken.created_at).join(
                StudentToken, StudentToken.student_id == Student.id
            )
        )
        return {name: at for name, at in rows}
