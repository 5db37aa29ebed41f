import functools
import secrets
import time
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pwdlib import PasswordHash

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60

app = FastAPI(title="Members API")
security = HTTPBasic()

# Hash and verify through this object, read at call time: the tests swap it for a cheaper one.
password_hash = PasswordHash.recommended()  # Argon2id

USERS: dict[str, str] = {}  # username -> hash of the password


def create_user(username: str, password: str) -> None:
    USERS[username] = password_hash.hash(password)


@functools.cache
def dummy_hash(hasher: PasswordHash) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def authenticate(username: str, password: str) -> bool:
    """True for the right password of a user of USERS; one verify in every case."""
    stored = USERS.get(username)
    try:
        matches = password_hash.verify(password, stored or dummy_hash(password_hash))
    except ValueError:  # bcrypt 5 refuses passwords over 72 bytes
        matches = False
    return stored is not None and matches


def get_now() -> float:
    """The current time in seconds; the endpoint takes it through Depends(get_now)."""
    return time.monotonic()


# TODO: Task 2 - remember each username's failed logins, and answer 429 with Retry-After
#       while a username has MAX_FAILURES failures in the last WINDOW_SECONDS


def current_username(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> str:
    if not authenticate(credentials.username, credentials.password):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Basic"},
        )
    return credentials.username


@app.get("/users/me")
def read_current_user(username: Annotated[str, Depends(current_username)]) -> dict[str, str]:
    return {"username": username}
