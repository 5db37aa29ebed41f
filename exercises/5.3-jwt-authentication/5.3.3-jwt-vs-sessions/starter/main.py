"""One app, two ways to stay logged in: a server-side session and a JWT (Tasks 1-3)."""

from collections.abc import Callable
from datetime import UTC, datetime

import jwt  # noqa: F401  (PyJWT)
from fastapi import FastAPI
from pwdlib import PasswordHash

ALGORITHM = "HS256"

password_hash = PasswordHash.recommended()
# Argon2 hashes made with low-cost parameters (m=1024, t=1) so that the tests run fast; a real
# app stores password_hash.hash(password), made with the recommended parameters.
USERS = {
    "alice": (
        "$argon2id$v=19$m=1024,t=1,p=1$HwJVy90+e0wIMpZWBPyFtw"
        "$8ZcePnworuWg3NtoqTCNZdyArMTdjwYUOO/rqqzIUBk"
    ),
    "bob": (
        "$argon2id$v=19$m=1024,t=1,p=1$RXHft9kQeZatalvO4wcfng"
        "$LvEMMNlBrfboOuQ6/CY3u+M8FWLYDBwm56OALVujWKA"
    ),
}
_DUMMY_HASH = (
    "$argon2id$v=19$m=1024,t=1,p=1$3KufCjI+dv1nE4dXu44PRg"
    "$9i5SBQQDnGsg2Vhf+m8jb1MF/Aq0yCz8RvFsdSZnsQY"
)


def authenticate(username: str, password: str) -> bool:
    """True when `password` is the user's. An unknown user costs as much time as a known one
    with a wrong password, so that the answer's delay does not tell which usernames exist."""
    stored = USERS.get(username)
    if stored is None:
        password_hash.verify(password, _DUMMY_HASH)
        return False
    return password_hash.verify(password, stored)


def utc_now() -> datetime:
    """The machine's clock, timezone-aware UTC: `create_app`'s default `now`."""
    return datetime.now(UTC)


def create_app(
    name: str,
    session_store: dict,
    secret: str,
    now: Callable[[], datetime] = utc_now,
) -> FastAPI:
    app = FastAPI(title=f"server {name}")

    # TODO: Task 1 - POST /session/login, GET /whoami (session), POST /session/logout
    # TODO: Task 2 - POST /jwt/login, GET /whoami (JWT)

    return app
