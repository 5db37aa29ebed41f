"""A user lookup whose SQL is compiled once and then served from the engine's statement cache."""

from collections.abc import Iterable

from sqlalchemy import Connection, String, lambda_stmt, select
from sqlalchemy.engine.default import CacheStats
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))


def user_by_email(email: str):
    # the lambda's code is the cache key; `email` becomes a bound parameter
    return lambda_stmt(lambda: select(User).where(User.email == email))


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.execute(user_by_email(email)).scalars().first()


def cache_stats(conn: Connection, emails: Iterable[str]) -> list[CacheStats]:
    """Run the lookup once per email; report whether each run found its SQL in the cache."""
    stats = []
    for email in emails:
        result = conn.execute(user_by_email(email))
        result.all()
        stats.append(result.context.cache_hit)
    return stats
