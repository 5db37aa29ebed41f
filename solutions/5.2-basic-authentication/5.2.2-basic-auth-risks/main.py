import functools
import math
import secrets
import time
from collections import defaultdict, deque
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


# username -> times of its failed logins that may still count, oldest first
failures: defaultdict[str, deque[float]] = defaultdict(deque)


def retry_after(username: str, now: float) -> int | None:
    """Seconds until `username` may try again, or None when it may try now."""
    times = failures[username]
    while times and times[0] + WINDOW_SECONDS <= now:  # too old to count any more
        times.popleft()
    if not times:
        del failures[username]
        return None
    if len(times) < MAX_FAILURES:
        return None
    return max(1, math.ceil(times[-MAX_FAILURES] + WINDOW_SECONDS - now))


def current_username(
    credentials: Annotated[HTTPBasicCredentials, Depends(security)],
    now: Annotated[float, Depends(get_now)],
) -> str:
    username = credentials.username
    wait = retry_after(username, now)
    if wait is not None:  # refused before the password is even looked at
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail="Too many failed attempts",
            headers={"Retry-After": str(wait)},
        )
    if not authenticate(username, credentials.password):
        failures[username].append(now)
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Basic"},
        )
    failures.pop(username, None)  # a success forgets the failures
    return username


@app.get("/users/me")
def read_current_user(username: Annotated[str, Depends(current_username)]) -> dict[str, str]:
    return {"username": username}
