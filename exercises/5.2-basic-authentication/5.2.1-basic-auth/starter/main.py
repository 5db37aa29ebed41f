from typing import Annotated  # noqa: F401

from fastapi import Depends, FastAPI, HTTPException, status  # noqa: F401
from fastapi.security import HTTPBasic, HTTPBasicCredentials  # noqa: F401
from pwdlib import PasswordHash

app = FastAPI(title="Members API")

# Hash and verify through this object, read at call time: the tests swap it for a cheaper one.
password_hash = PasswordHash.recommended()  # Argon2id

USERS: dict[str, str] = {}  # username -> hash of the password


def create_user(username: str, password: str) -> None:
    """Task 1: store the user's password hash in USERS[username]."""
    raise NotImplementedError


# TODO: Task 2 - read the credentials with HTTPBasic()
# TODO: Task 3 - one 401 with WWW-Authenticate: Basic for a wrong password and an unknown user


@app.get("/users/me")
def read_current_user() -> dict[str, str]:
    # TODO: Tasks 2-3 - answer the authenticated user's name
    raise HTTPException(status_code=401, detail="Not implemented")
