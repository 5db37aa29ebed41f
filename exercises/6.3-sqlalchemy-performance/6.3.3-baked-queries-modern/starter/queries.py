"""A user lookup whose SQL is compiled once and then served from the engine's statement cache."""

from collections.abc import Iterable

from sqlalchemy import Connection, String, select, text
from sqlalchemy.engine.default import CacheStats
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))


def find_user_by_email(session: Session, email: str) -> User | None:
    # TODO (Task 1): a new SQL string per email is compiled (and open to injection) every time
    query = text(f"SELECT * FROM users WHERE email = '{email}'")
    return session.scalars(select(User).from_statement(query)).one_or_none()


def cache_stats(conn: Connection, emails: Iterable[str]) -> list[CacheStats]:
    # TODO (Task 2): run the lookup once per email and collect result.context.cache_hit
    raise NotImplementedError
