"""Short access tokens, rotated refresh tokens, reuse detection and logout (Tasks 1-4)."""

from datetime import UTC, datetime

import jwt  # noqa: F401  (PyJWT)
from fastapi import FastAPI
from pwdlib import PasswordHash

SECRET_KEY = "change-me"  # TODO: at least 32 bytes
ALGORITHM = "HS256"

# The jti of every refresh token that may no longer be used (Tasks 3 and 4).
REVOKED: set[str] = set()

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


def now() -> datetime:
    """The clock: the current time, timezone-aware UTC. Tests replace it with a fake clock."""
    return datetime.now(UTC)


app = FastAPI()

# TODO: Task 1 - POST /token
# TODO: Task 2 - GET /me
# TODO: Task 3 - POST /refresh
# TODO: Task 4 - POST /logout
