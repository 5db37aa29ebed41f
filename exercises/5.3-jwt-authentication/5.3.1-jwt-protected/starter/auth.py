"""Access tokens (Task 1): signed with PyJWT, timed by `get_now()`."""

from datetime import UTC, datetime, timedelta

import jwt  # noqa: F401  (PyJWT)

SECRET_KEY = "change-me"  # TODO: at least 32 bytes
ALGORITHM = "HS256"


def get_now() -> datetime:
    """The clock: the current time, timezone-aware UTC. Tests replace it with a fake clock."""
    return datetime.now(UTC)


def create_access_token(sub: str, expires_delta: timedelta, now: datetime | None = None) -> str:
    # TODO: Task 1 - the claims sub, iat, exp and type="access", signed with jwt.encode
    raise NotImplementedError
