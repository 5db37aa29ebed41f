import functools
import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pwdlib import PasswordHash

app = FastAPI(title="Members API")

# Reads `Authorization: Basic ...`; a request without it gets 401 with WWW-Authenticate: Basic.
security = HTTPBasic()

# Hash and verify through this object, read at call time: the tests swap it for a cheaper one.
password_hash = PasswordHash.recommended()  # Argon2id

USERS: dict[str, str] = {}  # username -> hash of the password


def create_user(username: str, password: str) -> None:
    USERS[username] = password_hash.hash(password)


@functools.cache
def dummy_hash(hasher: PasswordHash) -> str:
    """A hash nobody's password matches, made by `hasher`, to verify unknown users against."""
    return hasher.hash(secrets.token_urlsafe(16))


def verify_password(password: str, hashed: str) -> bool:
    try:
        return password_hash.verify(password, hashed)  # constant-time comparison inside
    except ValueError:  # bcrypt 5 refuses passwords over 72 bytes
        return False


def current_username(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> str:
    stored = USERS.get(credentials.username)
    # An unknown user costs the same verify as a known one: the answer's timing tells nothing.
    matches = verify_password(credentials.password, stored or dummy_hash(password_hash))
    if stored is None or not matches:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Basic"},
        )
    return credentials.username


@app.get("/users/me")
def read_current_user(username: Annotated[str, Depends(current_username)]) -> dict[str, str]:
    return {"username": username}
