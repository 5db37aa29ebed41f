import secrets  # noqa: F401
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta  # noqa: F401
from typing import Annotated, Literal  # noqa: F401

import jwt  # noqa: F401  (PyJWT)
from fastapi import Depends, FastAPI, Form, HTTPException, Query, status  # noqa: F401
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm  # noqa: F401
from pwdlib import PasswordHash

# A real app reads it from the environment; make your own with: openssl rand -hex 32
SECRET_KEY = "c4a9f2e7d1b8a3f6e0c5d2b9a4f7e1c8d3b6a0f5e2c9d4b7a1f8e3c6d0b5a2f9"
ALGORITHM = "HS256"
EXPIRES_IN = 600  # seconds: every access token, opaque or JWT, lives 10 minutes

password_hash = PasswordHash.recommended()


@dataclass(frozen=True)
class User:
    username: str
    hashed_password: str
    scopes: frozenset[str]


# Given: the users (their hashes were made with cheap Argon2 parameters so that the tests run
# fast; PasswordHash.recommended() verifies them all the same). Keep them as they are.
USERS = {
    "alice": User(
        "alice",
        "$argon2id$v=19$m=1024,t=1,p=1$2+K73xQs5+mlx7vG+74PFA$tjYI6ohjmUekMIK1tSIjfOeIa8WKrIfapBbJBUKaSw0",
        frozenset({"profile", "orders:read"}),
    ),
    "bob": User(
        "bob",
        "$argon2id$v=19$m=1024,t=1,p=1$yMmPac0/FEHn5JzU3pVJYA$mkiatIH2NnvVqCUONm/QnFSLHgmnysxUViXTLeUbEpI",
        frozenset({"profile"}),
    ),
}
_DUMMY_HASH = (
    "$argon2id$v=19$m=1024,t=1,p=1$3ANPFNnRy2P4HRdZ3aupbA$ugJR5uG0y5CTLrtyOE11cIqI9f38foKn1XwBI4LJCFM"
)


def authenticate(username: str, password: str) -> User | None:
    """Given: the user whose password this is, or None (the same work for an unknown user)."""
    user = USERS.get(username)
    matches = password_hash.verify(password, user.hashed_password if user else _DUMMY_HASH)
    return user if user is not None and matches else None


def get_now() -> datetime:
    """The current time; endpoints take it as `now: Annotated[datetime, Depends(get_now)]`."""
    return datetime.now(UTC)


# Task 1: the server-side store of opaque tokens: token -> who, which scopes, until when.
TOKENS: dict = {}

app = FastAPI()

# Task 1: POST /token issues an opaque token (format=opaque, the default) or a JWT (format=jwt)
# Task 2: GET /me accepts both kinds
# Task 3: POST /introspect and POST /revoke
