"""Short access tokens, rotated refresh tokens, reuse detection and logout (Tasks 1-4)."""

import secrets
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from pwdlib import PasswordHash
from pydantic import BaseModel

SECRET_KEY = secrets.token_urlsafe(48)
ALGORITHM = "HS256"

# The jti of every refresh token that may no longer be used (Tasks 3 and 4).
REVOKED: set[str] = set()
# Sync endpoints run in a thread pool: two refreshes of one token may run at once, so the
# check of REVOKED and the rotation happen under one lock.
ROTATION_LOCK = threading.Lock()

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
oauth2 = OAuth2PasswordBearer(tokenUrl="token")

ACCESS_MINUTES = 15
REFRESH_DAYS = 7
FAMILIES: dict[str, set[str]] = {}  # family id -> every refresh jti issued in it
FAMILY_OF: dict[str, str] = {}


class LoginIn(BaseModel):
    username: str
    password: str


class RefreshIn(BaseModel):
    refresh_token: str


def bad(msg="Could not validate credentials"):
    return HTTPException(401, msg, headers={"WWW-Authenticate": "Bearer"})


def _issue(username: str, family: str, t: datetime) -> dict:
    jti = str(uuid.uuid4())
    FAMILIES.setdefault(family, set()).add(jti)
    FAMILY_OF[jti] = family
    access = jwt.encode(
        {"sub": username, "type": "access", "iat": t, "exp": t + timedelta(minutes=ACCESS_MINUTES)},
        SECRET_KEY,
        algorithm=ALGORITHM,
    )
    refresh = jwt.encode(
        {
            "sub": username,
            "type": "refresh",
            "jti": jti,
            "iat": t,
            "exp": t + timedelta(days=REFRESH_DAYS),
        },
        SECRET_KEY,
        algorithm=ALGORITHM,
    )
    return {"access_token": access, "refresh_token": refresh, "token_type": "bearer"}


def _decode(token: str, typ: str, t: datetime) -> dict:
    try:
        data = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM], options={"verify_exp": False})
    except jwt.InvalidTokenError:
        raise bad()
    if data.get("type") != typ:
        raise bad("wrong token type")
    if "exp" not in data or data["exp"] <= t.timestamp():
        raise bad("expired")
    return data


@app.post("/token")
def login(body: LoginIn, t: Annotated[datetime, Depends(now)]):
    if not authenticate(body.username, body.password):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Incorrect username or password")
    return _issue(body.username, uuid.uuid4().hex, t)


@app.get("/me")
def me(token: Annotated[str, Depends(oauth2)], t: Annotated[datetime, Depends(now)]):
    return {"sub": _decode(token, "access", t)["sub"]}


@app.post("/refresh")
def refresh(body: RefreshIn, t: Annotated[datetime, Depends(now)]):
    data = _decode(body.refresh_token, "refresh", t)
    jti = data.get("jti")
    family = FAMILY_OF.get(jti)
    if family is None:
        raise bad()
    with ROTATION_LOCK:
        if jti in REVOKED:
            # reuse: revoke the whole family
            REVOKED.update(FAMILIES[family])
            raise bad("refresh token reused")
        REVOKED.add(jti)
        return _issue(data["sub"], family, t)


@app.post("/logout", status_code=204)
def logout(body: RefreshIn, t: Annotated[datetime, Depends(now)]):
    data = _decode(body.refresh_token, "refresh", t)
    REVOKED.add(data["jti"])
