from datetime import UTC, datetime, timedelta  # noqa: F401
from typing import Annotated  # noqa: F401

import jwt  # noqa: F401  (PyJWT)
from fastapi import Depends, FastAPI, HTTPException, status  # noqa: F401
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm  # noqa: F401
from pwdlib import PasswordHash
from pydantic import BaseModel  # noqa: F401

# A real app reads it from the environment; make your own with: openssl rand -hex 32
SECRET_KEY = "3f6c2a9d8e1b4f7a0c5d2e9b6a3f8c1d4e7b0a9f2c5d8e1b4a7f0c3d6e9b2a5f"
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30

# Hash and verify through this object, read at call time: the tests swap it for a cheaper one.
password_hash = PasswordHash.recommended()  # Argon2id


def get_now() -> datetime:
    """The current time; endpoints take it as `now: Annotated[datetime, Depends(get_now)]`."""
    return datetime.now(UTC)


USERS: dict = {}  # username -> the user's record


def create_user(
    username: str, password: str, full_name: str | None = None, disabled: bool = False
):
    """Task 1: store a record with username, full_name, disabled and hashed_password."""
    raise NotImplementedError


app = FastAPI()

# Task 2: POST /token with OAuth2PasswordRequestForm
# Task 3: the same 401 for a wrong password and an unknown user
# Task 4: GET /users/me with OAuth2PasswordBearer(tokenUrl="token")
