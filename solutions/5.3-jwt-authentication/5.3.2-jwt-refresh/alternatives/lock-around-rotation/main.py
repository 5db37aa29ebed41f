"""Short access tokens, rotated refresh tokens, reuse detection and logout (Tasks 1-4)."""

import secrets
import threading
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, HTTPException, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pwdlib import PasswordHash
from pydantic import BaseModel

SECRET_KEY = "t53-refresh-rotation-secret-key-0123456789abcdef"
ALGORITHM = "HS256"

# The jti of every refresh token that may no longer be used (Tasks 3 and 4).
REVOKED: set[str] = set()

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


ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=7)

# Lineage of rotated refresh tokens: jti -> jti of the token its rotation handed out.
# Reuse detection walks this chain to revoke every descendant of a reused token.
ROTATED_TO: dict[str, str] = {}
_lock = threading.Lock()

app = FastAPI()
bearer = HTTPBearer()


class Credentials(BaseModel):
    username: str
    password: str


class RefreshBody(BaseModel):
    refresh_token: str


def _unauthorized(detail: str = "Could not validate credentials") -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def _issue_pair(sub: str) -> tuple[dict[str, str], str]:
    issued = now()
    access = jwt.encode(
        {"sub": sub, "iat": issued, "exp": issued + ACCESS_TTL, "type": "access"},
        SECRET_KEY,
        algorithm=ALGORITHM,
    )
    jti = secrets.token_urlsafe(24)
    refresh = jwt.encode(
        {"sub": sub, "iat": issued, "exp": issued + REFRESH_TTL, "type": "refresh", "jti": jti},
        SECRET_KEY,
        algorithm=ALGORITHM,
    )
    return {"access_token": access, "refresh_token": refresh, "token_type": "bearer"}, jti


def _verified_claims(token: str, kind: str) -> dict[str, Any]:
    """The claims of a token of this kind, signed by us and not expired by now(); else 401."""
    try:
        claims = jwt.decode(
            token,
            SECRET_KEY,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "require": ["exp", "sub"]},
        )
    except jwt.PyJWTError:
        raise _unauthorized() from None
    if claims.get("type") != kind:
        raise _unauthorized()
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        raise _unauthorized()
    if now().timestamp() >= exp:
        raise _unauthorized("Token expired")
    if not isinstance(claims.get("sub"), str):
        raise _unauthorized()
    if kind == "refresh" and not isinstance(claims.get("jti"), str):
        raise _unauthorized()
    return claims


@app.post("/token")
def login(body: Credentials) -> dict[str, str]:
    if not authenticate(body.username, body.password):
        raise _unauthorized("Incorrect username or password")
    pair, _ = _issue_pair(body.username)
    return pair


@app.get("/me")
def me(creds: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]) -> dict[str, str]:
    claims = _verified_claims(creds.credentials, "access")
    return {"sub": claims["sub"]}


def _revoke_descendants(jti: str) -> None:
    # Rotated tokens are in REVOKED already, so walk the whole chain down to its newest token.
    child = ROTATED_TO.get(jti)
    while child is not None:
        REVOKED.add(child)
        child = ROTATED_TO.get(child)


@app.post("/refresh")
def refresh(body: RefreshBody) -> dict[str, str]:
    claims = _verified_claims(body.refresh_token, "refresh")
    jti = claims["jti"]
    with _lock:
        if jti in REVOKED:
            if jti in ROTATED_TO:  # reuse of a rotated token: the family is compromised
                _revoke_descendants(jti)
            raise _unauthorized("Refresh token revoked")
        pair, new_jti = _issue_pair(claims["sub"])
        REVOKED.add(jti)
        ROTATED_TO[jti] = new_jti
    return pair


@app.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(body: RefreshBody) -> Response:
    claims = _verified_claims(body.refresh_token, "refresh")
    with _lock:
        REVOKED.add(claims["jti"])
    return Response(status_code=status.HTTP_204_NO_CONTENT)
