"""SQLAlchemy Core on the metadata of Base, the prefix as primary key, an HMAC-SHA-256 digest with
a server-side pepper, times as epoch seconds, and a revoked flag."""

import hashlib
import hmac
import os
import secrets
import string
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    LargeBinary,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase

PEPPER = os.environ.get("API_KEY_PEPPER", "dev-pepper-change-me").encode()
ALLOWED = set(string.ascii_letters + string.digits + "_-")


class Base(DeclarativeBase):
    pass


api_keys = Table(
    "api_keys",
    Base.metadata,
    Column("prefix", String(64), primary_key=True),
    Column("mac", LargeBinary(32), nullable=False),
    Column("owner", String(200), nullable=False),
    Column("expires", Float, nullable=True),
    Column("revoked", Boolean, nullable=False, default=False),
)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _mac(secret: str) -> bytes:
    return hmac.new(PEPPER, secret.encode(), hashlib.sha256).digest()


def _parse(key) -> tuple[str, str] | None:
    if not isinstance(key, str) or not key.startswith("ak_") or key.count(".") != 1:
        return None
    prefix, secret = key[3:].split(".")
    if not 8 <= len(prefix) <= 64 or not 32 <= len(secret) <= 128:
        return None
    if not set(prefix) <= ALLOWED or not set(secret) <= ALLOWED:
        return None
    return prefix, secret


class KeyStore:
    def __init__(self, engine: Engine, clock=None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()
        Base.metadata.create_all(engine)

    def _t(self) -> float:
        return self.clock.now().timestamp()

    def _insert(self, conn, owner: str) -> str:
        prefix = secrets.token_urlsafe(9)
        secret = secrets.token_urlsafe(48)
        conn.execute(insert(api_keys).values(prefix=prefix, mac=_mac(secret), owner=owner))
        return f"ak_{prefix}.{secret}"

    def create_key(self, owner: str) -> str:
        with self.engine.begin() as conn:
            return self._insert(conn, owner)

    def _row(self, conn, prefix: str):
        return conn.execute(select(api_keys).where(api_keys.c.prefix == prefix)).first()

    @staticmethod
    def _live(row, t: float) -> bool:
        return not row.revoked and (row.expires is None or t < row.expires)

    def verify(self, key) -> str | None:
        parts = _parse(key)
        if parts is None:
            return None
        prefix, secret = parts
        with self.engine.connect() as conn:
            row = self._row(conn, prefix)
        if row is None or not self._live(row, self._t()):
            return None
        return row.owner if hmac.compare_digest(_mac(secret), row.mac) else None

    def rotate(self, prefix: str, grace: timedelta) -> str:
        t = self._t()
        with self.engine.begin() as conn:
            row = self._row(conn, prefix)
            if row is None or not self._live(row, t):
                raise KeyError(prefix)
            ends = t + grace.total_seconds()
            if row.expires is not None:
                ends = min(ends, row.expires)
            conn.execute(update(api_keys).where(api_keys.c.prefix == prefix).values(expires=ends))
            return self._insert(conn, row.owner)

    def revoke(self, prefix: str) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(
                update(api_keys).where(api_keys.c.prefix == prefix).values(revoked=True)
            )
            if done.rowcount == 0:
                raise KeyError(prefix)
