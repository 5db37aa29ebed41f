"""Refresh rotation with the families kept on the server (jti -> family), clock by Depends."""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Body, Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from pwdlib import PasswordHash

SECRET_KEY = secrets.token_hex(32)
ALGORITHM = "HS256"

# The jti of every refresh token that may no longer be used (Tasks 3 and 4).
REVOKED: set[str] = set()
FAMILY_OF: dict[str, str] = {}  # refresh jti -> the family (login) it belongs to
DEAD_FAMILIES: set[str] = set()

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
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def credentials_error() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "Could not validate credentials",
        {"WWW-Authenticate": "Bearer"},
    )


def make_tokens(username: str, family: str, current: datetime) -> dict:
    jti = secrets.token_urlsafe(16)
    FAMILY_OF[jti] = family
    access = jwt.encode(
        {
            "sub": username,
            "type": "access",
            "iat": int(current.timestamp()),
            "exp": int((current + timedelta(minutes=15)).timestamp()),
        },
        SECRET_KEY,
        algorithm=ALGORITHM,
    )
    refresh = jwt.encode(
        {
            "sub": username,
            "type": "refresh",
            "jti": jti,
            "iat": int(current.timestamp()),
            "exp": int((current + timedelta(days=7)).timestamp()),
        },
        SECRET_KEY,
        algorithm=ALGORITHM,
    )
    return {"access_token": access, "refresh_token": refresh, "token_type": "bearer"}


def decode(token: str, kind: str, current: datetime) -> dict:
    try:
        payload = jwt.decode(
            token, SECRET_KEY, algorithms=[ALGORITHM], options={"verify_exp": False}
        )
    except jwt.PyJWTError:
        raise credentials_error() from None
    exp = payload.get("exp")
    if payload.get("type") != kind or not isinstance(exp, int) or current.timestamp() >= exp:
        raise credentials_error()
    if kind == "refresh" and not isinstance(payload.get("jti"), str):
        raise credentials_error()
    return payload


Clock = Annotated[datetime, Depends(now)]


@app.post("/token")
def token(username: Annotated[str, Body()], password: Annotated[str, Body()], current: Clock):
    if not authenticate(username, password):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Incorrect username or password")
    return make_tokens(username, secrets.token_urlsafe(8), current)


@app.get("/me")
def read_me(token: Annotated[str, Depends(oauth2_scheme)], current: Clock):
    return {"sub": decode(token, "access", current)["sub"]}


# async def, with no await between the REVOKED check and REVOKED.add: the event loop runs one
# request's check-and-rotate whole before another request's starts.
@app.post("/refresh")
async def refresh(refresh_token: Annotated[str, Body(embed=True)], current: Clock):
    payload = decode(refresh_token, "refresh", current)
    family = FAMILY_OF.get(payload["jti"])
    if family is None or family in DEAD_FAMILIES:
        raise credentials_error()
    if payload["jti"] in REVOKED:
        DEAD_FAMILIES.add(family)
        raise credentials_error()
    REVOKED.add(payload["jti"])
    return make_tokens(payload["sub"], family, current)


@app.post("/logout", status_code=204)
def logout(refresh_token: Annotated[str, Body(embed=True)], current: Clock) -> None:
    payload = decode(refresh_token, "refresh", current)
    REVOKED.add(payload["jti"])
