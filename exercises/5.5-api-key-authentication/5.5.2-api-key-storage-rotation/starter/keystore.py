from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


# TODO: Task 1 - the columns of a stored key: its prefix (unique), the SHA-256 digest of its
#       secret, its owner, and what rotate and revoke need (an expiry, a revocation).
#       Never a column for the secret or the whole key.
class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)


class SystemClock:
    """The real clock; the tests pass a fake one with the same `now()`."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class KeyStore:
    def __init__(self, engine: Engine, clock=None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()

    # TODO: Task 1 - a new key "ak_<prefix>.<secret>" made with `secrets`; store the prefix and
    #       the digest of the secret, return the whole key (the only time it is seen)
    def create_key(self, owner: str) -> str:
        raise NotImplementedError

    # TODO: Task 2 - the owner of a valid key, None for anything else (never an exception):
    #       find the row by its prefix in SQL, compare the digests with secrets.compare_digest
    def verify(self, key: str) -> str | None:
        raise NotImplementedError

    # TODO: Task 3 - a new key for the same owner; the old one stays valid for `grace` only
    def rotate(self, prefix: str, grace: timedelta) -> str:
        raise NotImplementedError

    # TODO: Task 3 - the key stops working at once
    def revoke(self, prefix: str) -> None:
        raise NotImplementedError
