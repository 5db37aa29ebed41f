import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Engine, String, delete, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

PEPPER = b"server-side-pepper-from-the-environment"
PART = re.compile(r"[A-Za-z0-9_-]+")


class Base(DeclarativeBase):
    pass


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SystemClock:
    """The real clock; the tests pass a fake one with the same `now()`."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def _hash(secret: str) -> str:
    return hmac.new(PEPPER, secret.encode(), hashlib.sha256).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class KeyStore:
    def __init__(self, engine: Engine, clock=None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()

    def _issue(self, session: Session, owner: str) -> str:
        prefix = secrets.token_urlsafe(8)
        secret = secrets.token_urlsafe(32)
        session.add(ApiKey(prefix=prefix, key_hash=_hash(secret), owner=owner))
        return f"ak_{prefix}.{secret}"

    def create_key(self, owner: str) -> str:
        with Session(self.engine) as session, session.begin():
            return self._issue(session, owner)

    def _find(self, session: Session, prefix: str) -> ApiKey | None:
        row = session.execute(select(ApiKey).where(ApiKey.prefix == prefix)).scalar_one_or_none()
        if row is not None and row.expires_at is not None:
            if self.clock.now() >= _aware(row.expires_at):
                return None
        return row

    def verify(self, key: str) -> str | None:
        if not isinstance(key, str) or not key.startswith("ak_") or key.count(".") != 1:
            return None
        prefix, secret = key[3:].split(".")
        if not (8 <= len(prefix) <= 64 and 32 <= len(secret) <= 128):
            return None
        if not PART.fullmatch(prefix) or not PART.fullmatch(secret):
            return None
        with Session(self.engine) as session:
            row = self._find(session, prefix)
            if row is None:
                return None
            if secrets.compare_digest(_hash(secret), row.key_hash):
                return row.owner
        return None

    def rotate(self, prefix: str, grace: timedelta) -> str:
        with Session(self.engine) as session, session.begin():
            row = self._find(session, prefix)
            if row is None:
                raise KeyError(prefix)
            ends = self.clock.now() + grace
            if row.expires_at is None or ends < _aware(row.expires_at):
                row.expires_at = ends
            return self._issue(session, row.owner)

    def revoke(self, prefix: str) -> None:
        # a revoked key is simply deleted: nothing can bring it back
        with Session(self.engine) as session, session.begin():
            done = session.execute(delete(ApiKey).where(ApiKey.prefix == prefix))
            if done.rowcount == 0:
                raise KeyError(prefix)
