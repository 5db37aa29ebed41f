import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Engine, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

# ak_<prefix>.<secret>: the prefix finds the row, the secret proves the caller holds the key.
KEY_FORMAT = re.compile(r"ak_([A-Za-z0-9_-]{8,64})\.([A-Za-z0-9_-]{32,128})")


class Base(DeclarativeBase):
    pass


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(64), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Naive UTC throughout: SQLite gives datetimes back without their time zone.
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class SystemClock:
    """The real clock; the tests pass a fake one with the same `now()`."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def _digest(secret: str) -> str:
    # A fast hash is right for a random 256-bit secret: nobody can guess it, so a slow hash
    # would only slow down every request.
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyStore:
    def __init__(self, engine: Engine, clock=None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()

    def _now(self) -> datetime:
        """The clock's time, read at each call, as naive UTC (what SQLite stores)."""
        return self.clock.now().astimezone(UTC).replace(tzinfo=None)

    def _new_key(self, session: Session, owner: str, now: datetime) -> str:
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        session.add(
            ApiKey(prefix=prefix, secret_sha256=_digest(secret), owner=owner, created_at=now)
        )
        return f"ak_{prefix}.{secret}"

    def create_key(self, owner: str) -> str:
        with Session(self.engine) as session:
            key = self._new_key(session, owner, self._now())
            session.commit()
        return key  # shown once: only the prefix and the digest are stored

    def verify(self, key: object) -> str | None:
        if not isinstance(key, str):
            return None
        match = KEY_FORMAT.fullmatch(key)
        if match is None:
            return None
        prefix, secret = match.groups()
        with Session(self.engine) as session:
            row = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()
        if row is None:
            return None
        if not secrets.compare_digest(_digest(secret).encode(), row.secret_sha256.encode()):
            return None
        if not self._alive(row, self._now()):
            return None
        return row.owner

    @staticmethod
    def _alive(row: ApiKey, now: datetime) -> bool:
        if row.revoked_at is not None:
            return False
        return row.expires_at is None or now < row.expires_at

    def _live_row(self, session: Session, prefix: str, now: datetime) -> ApiKey:
        row = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()
        if row is None or not self._alive(row, now):
            raise KeyError(prefix)
        return row

    def rotate(self, prefix: str, grace: timedelta) -> str:
        now = self._now()
        with Session(self.engine) as session:
            old = self._live_row(session, prefix, now)
            ends = now + grace
            if old.expires_at is None or ends < old.expires_at:  # never extends a key's life
                old.expires_at = ends
            key = self._new_key(session, old.owner, now)
            session.commit()
        return key

    def revoke(self, prefix: str) -> None:
        now = self._now()
        with Session(self.engine) as session:
            row = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()
            if row is None:
                raise KeyError(prefix)
            if row.revoked_at is None:
                row.revoked_at = now
            session.commit()
