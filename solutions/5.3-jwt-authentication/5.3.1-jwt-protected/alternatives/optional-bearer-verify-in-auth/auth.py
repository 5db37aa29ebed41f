import os
import secrets
from datetime import UTC, datetime, timedelta

import jwt

SECRET_KEY = os.environ.get("JWT_SECRET_KEY") or secrets.token_hex(32)
ALGORITHM = "HS256"


class TokenError(Exception):
    pass


def get_now() -> datetime:
    return datetime.now(UTC)


def create_access_token(sub: str, expires_delta: timedelta, now: datetime | None = None) -> str:
    if type(sub) is not str:
        raise TypeError("sub must be a string")
    now = now or get_now()
    to_encode = {"sub": sub, "type": "access", "iat": now, "exp": now + expires_delta}
    return jwt.encode(to_encode, SECRET_KEY, algorithm=ALGORITHM)


def verify_access_token(token: str) -> str:
    try:
        payload = jwt.decode(
            token,
            SECRET_KEY,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "require": ["exp", "sub", "type"]},
        )
    except jwt.InvalidTokenError as e:
        raise TokenError(str(e))
    if payload["type"] != "access":
        raise TokenError("wrong token type")
    if datetime.fromtimestamp(payload["exp"], tz=UTC) <= get_now():
        raise TokenError("expired")
    return payload["sub"]
