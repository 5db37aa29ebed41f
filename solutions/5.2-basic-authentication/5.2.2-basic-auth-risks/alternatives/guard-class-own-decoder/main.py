import functools
import math
import secrets
import time
from typing import Annotated

from basic import decode_basic
from fastapi import Depends, FastAPI, Header, HTTPException, status
from pwdlib import PasswordHash

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60

app = FastAPI(title="Members API")

password_hash = PasswordHash.recommended()

USERS: dict[str, str] = {}


def create_user(username: str, password: str) -> None:
    USERS[username] = password_hash.hash(password)


@functools.cache
def dummy_hash(hasher: PasswordHash) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def authenticate(username: str, password: str) -> bool:
    stored = USERS.get(username)
    try:
        matches = password_hash.verify(password, stored or dummy_hash(password_hash))
    except ValueError:
        matches = False
    return stored is not None and matches


def get_now() -> float:
    return time.monotonic()


class BruteForceGuard:
    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.failed: dict[str, list[float]] = {}

    def _recent(self, username: str, now: float) -> list[float]:
        recent = [t for t in self.failed.get(username, []) if now < t + self.window]
        if recent:
            self.failed[username] = recent
        else:
            self.failed.pop(username, None)
        return recent

    def seconds_to_wait(self, username: str, now: float) -> int:
        recent = self._recent(username, now)
        if len(recent) < self.limit:
            return 0
        oldest_counted = sorted(recent)[-self.limit]
        return max(1, math.ceil(oldest_counted + self.window - now))

    def failure(self, username: str, now: float) -> None:
        self.failed.setdefault(username, []).append(now)

    def success(self, username: str) -> None:
        self.failed.pop(username, None)


guard = BruteForceGuard(MAX_FAILURES, WINDOW_SECONDS)


def challenge() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "Incorrect username or password",
        headers={"WWW-Authenticate": "Basic"},
    )


def credentials(authorization: Annotated[str | None, Header()] = None) -> tuple[str, str]:
    try:
        return decode_basic(authorization or "")
    except ValueError:
        raise challenge() from None


def current_username(
    creds: Annotated[tuple[str, str], Depends(credentials)],
    now: Annotated[float, Depends(get_now)],
) -> str:
    username, password = creds
    wait = guard.seconds_to_wait(username, now)
    if wait:
        raise HTTPException(429, "Too many failed attempts", headers={"Retry-After": str(wait)})
    if authenticate(username, password):
        guard.success(username)
        return username
    guard.failure(username, now)
    raise challenge()


@app.get("/users/me")
def read_current_user(username: Annotated[str, Depends(current_username)]) -> dict[str, str]:
    return {"username": username}
