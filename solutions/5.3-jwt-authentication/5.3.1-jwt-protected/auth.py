"""Access tokens: signed with PyJWT (HS256), short-lived, and timed by an injectable clock."""

from datetime import UTC, datetime, timedelta

import jwt

# 32+ bytes: PyJWT warns (InsecureKeyLengthWarning) about shorter HMAC keys for HS256.
# A real app reads it from the environment; it is never committed next to the code.
SECRET_KEY = "d4f0c1a2b39e8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d"
ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is malformed, forged, expired or not an access token."""


def get_now() -> datetime:
    """The clock: the current time, timezone-aware UTC. Tests replace it with a fake clock."""
    return datetime.now(UTC)


def create_access_token(sub: str, expires_delta: timedelta, now: datetime | None = None) -> str:
    if not isinstance(sub, str):
        raise TypeError(f"sub must be a str, got {type(sub).__name__}")
    issued = get_now() if now is None else now
    claims = {"sub": sub, "iat": issued, "exp": issued + expires_delta, "type": "access"}
    return jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM)


def decode_access_token(token: str, now: datetime) -> str:
    """The token's `sub`, once its signature, algorithm, type and expiry are checked."""
    try:
        claims = jwt.decode(
            token,
            SECRET_KEY,
            algorithms=[ALGORITHM],  # pinned: the token's own header never chooses
            # PyJWT would compare exp with the machine's clock; we compare it with ours below.
            options={"require": ["sub", "exp", "iat", "type"], "verify_exp": False},
        )
    except jwt.InvalidTokenError as exc:
        raise InvalidToken(str(exc)) from exc
    if claims["type"] != "access":
        raise InvalidToken("not an access token")
    if claims["exp"] <= now.timestamp():
        raise InvalidToken("token expired")
    return claims["sub"]
