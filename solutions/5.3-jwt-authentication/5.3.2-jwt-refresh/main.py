"""Short access tokens, rotated refresh tokens with reuse detection, and logout."""

from datetime import UTC, datetime, timedelta
from typing import Annotated
from uuid import uuid4

import jwt
from fastapi import Depends, FastAPI, HTTPException, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pwdlib import PasswordHash
from pydantic import BaseModel

# 32+ bytes (PyJWT warns about shorter HMAC keys); a real app reads it from the environment.
SECRET_KEY = "5b0e5d8f2c7a4e1b9d3f6a0c8e2b4d7f1a3c5e7b9d0f2a4c"
ALGORITHM = "HS256"
ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
REFRESH_TOKEN_LIFETIME = timedelta(days=7)

# The jti of every refresh token that may no longer be used (Tasks 3 and 4).
REVOKED: set[str] = set()
# The families (one per login) in which a rotated refresh token was presented again.
REVOKED_FAMILIES: set[str] = set()

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
bearer = HTTPBearer()


class Credentials(BaseModel):
    username: str
    password: str


class RefreshBody(BaseModel):
    refresh_token: str


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def issue_pair(sub: str, family: str | None = None) -> TokenPair:
    """A new access token and a new refresh token; the refresh token carries its family (the
    jti of the login's first refresh token), which every rotation hands on."""
    issued = now()
    jti = uuid4().hex
    access = {"sub": sub, "iat": issued, "exp": issued + ACCESS_TOKEN_LIFETIME, "type": "access"}
    refresh = {
        "sub": sub,
        "iat": issued,
        "exp": issued + REFRESH_TOKEN_LIFETIME,
        "type": "refresh",
        "jti": jti,
        "fam": family or jti,
    }
    return TokenPair(
        access_token=jwt.encode(access, SECRET_KEY, algorithm=ALGORITHM),
        refresh_token=jwt.encode(refresh, SECRET_KEY, algorithm=ALGORITHM),
    )


def read_token(token: str, expected_type: str) -> dict:
    """The claims of a token signed by us, of `expected_type`, not expired by `now()`."""
    required = ["sub", "exp", "iat", "type"]
    if expected_type == "refresh":
        required += ["jti", "fam"]
    try:
        claims = jwt.decode(
            token,
            SECRET_KEY,
            algorithms=[ALGORITHM],
            # PyJWT would compare exp with the machine's clock; it is compared with now() below.
            options={"require": required, "verify_exp": False},
        )
    except jwt.InvalidTokenError:
        raise unauthorized("Invalid token") from None
    if claims["type"] != expected_type:
        raise unauthorized(f"Not an {expected_type} token")
    if claims["exp"] <= now().timestamp():
        raise unauthorized("Token expired")
    return claims


# The handlers are `async def` without an `await` between reading and writing REVOKED, so one
# request's check-and-revoke runs whole before the next one starts (a single event loop). With
# several workers, REVOKED would live in Redis or a table, changed with one atomic operation.


@app.post("/token")
async def login(body: Credentials) -> TokenPair:
    if not authenticate(body.username, body.password):
        raise unauthorized("Incorrect username or password")
    return issue_pair(body.username)


@app.get("/me")
async def me(credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]):
    claims = read_token(credentials.credentials, "access")
    return {"sub": claims["sub"]}


@app.post("/refresh")
async def refresh(body: RefreshBody) -> TokenPair:
    claims = read_token(body.refresh_token, "refresh")
    if claims["fam"] in REVOKED_FAMILIES:
        raise unauthorized("Token revoked")
    if claims["jti"] in REVOKED:
        # A rotated token came back: someone holds a copy. End the whole family.
        REVOKED_FAMILIES.add(claims["fam"])
        raise unauthorized("Token reused")
    REVOKED.add(claims["jti"])
    return issue_pair(claims["sub"], family=claims["fam"])


@app.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: RefreshBody) -> Response:
    claims = read_token(body.refresh_token, "refresh")
    REVOKED.add(claims["jti"])
    return Response(status_code=status.HTTP_204_NO_CONTENT)
