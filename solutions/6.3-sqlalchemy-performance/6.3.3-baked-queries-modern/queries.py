"""A user lookup whose SQL is compiled once and then served from the engine's statement cache."""

from collections.abc import Iterable

from sqlalchemy import Connection, String, bindparam, select
from sqlalchemy.engine.default import CacheStats
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))


# Built once, at import: the same statement object, with the value supplied at execution.
USER_BY_EMAIL = select(User).where(User.email == bindparam("email"))


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(USER_BY_EMAIL, {"email": email}).one_or_none()


def cache_stats(conn: Connection, emails: Iterable[str]) -> list[CacheStats]:
    """Run the lookup once per email; report whether each run found its SQL in the cache."""
    stats = []
    for email in emails:
        result = conn.execute(USER_BY_EMAIL, {"email": email})
        result.all()
        stats.append(result.context.cache_hit)
    return stats
