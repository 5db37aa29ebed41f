"""Access tokens, minted with PyJWT; the checks live in main.py."""

import secrets
from datetime import UTC, datetime, timedelta

import jwt

SECRET_KEY = secrets.token_urlsafe(32)  # a new key at each start: tokens die with the process
ALGORITHM = "HS256"


def get_now() -> datetime:
    return datetime.now(UTC)


def create_access_token(sub: str, expires_delta: timedelta, now: datetime | None = None) -> str:
    if not isinstance(sub, str):
        raise TypeError("sub must be a string")
    if now is None:
        now = get_now()
    payload = {
        "type": "access",
        "sub": sub,
        "iat": int(now.timestamp()),
        "exp": int((now + expires_delta).timestamp()),
    }
    return jwt.encode(payload, SECRET_KEY, algorithm=ALGORITHM)
