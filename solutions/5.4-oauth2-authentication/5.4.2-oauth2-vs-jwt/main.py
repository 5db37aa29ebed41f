import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import jwt
from fastapi import Depends, FastAPI, Form, HTTPException, Query, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pwdlib import PasswordHash

SECRET_KEY = "0e7f3a9c5b1d8e2f6a4c0b9d7e3f1a5c8b2d6e0f4a9c3b7d1e5f8a2c6b0d4e9f"
ALGORITHM = "HS256"
EXPIRES_IN = 600  # seconds: every access token, opaque or JWT, lives 10 minutes

password_hash = PasswordHash.recommended()


@dataclass(frozen=True)
class User:
    username: str
    hashed_password: str
    scopes: frozenset[str]


USERS = {
    "alice": User(
        "alice",
        "$argon2id$v=19$m=1024,t=1,p=1$2+K73xQs5+mlx7vG+74PFA$tjYI6ohjmUekMIK1tSIjfOeIa8WKrIfapBbJBUKaSw0",
        frozenset({"profile", "orders:read"}),
    ),
    "bob": User(
        "bob",
        "$argon2id$v=19$m=1024,t=1,p=1$yMmPac0/FEHn5JzU3pVJYA$mkiatIH2NnvVqCUONm/QnFSLHgmnysxUViXTLeUbEpI",
        frozenset({"profile"}),
    ),
}
_DUMMY_HASH = "$argon2id$v=19$m=1024,t=1,p=1$3ANPFNnRy2P4HRdZ3aupbA$ugJR5uG0y5CTLrtyOE11cIqI9f38foKn1XwBI4LJCFM"  # noqa: E501


def authenticate(username: str, password: str) -> User | None:
    user = USERS.get(username)
    matches = password_hash.verify(password, user.hashed_password if user else _DUMMY_HASH)
    return user if user is not None and matches else None


def get_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Grant:
    """What an access token stands for, whatever its format."""

    sub: str
    scope: str
    exp: int  # NumericDate seconds


TOKENS: dict[str, Grant] = {}  # opaque token -> its grant: the token means nothing without it
REVOKED_JTIS: dict[str, int] = {}  # jti of a revoked JWT -> its exp (kept until it expires)

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def granted_scope(user: User, requested: list[str]) -> str:
    """The scopes asked for that the user holds (all of the user's when none are asked for)."""
    wanted = set(requested) if requested else set(user.scopes)
    return " ".join(sorted(wanted & user.scopes))


def issue_opaque(grant: Grant) -> str:
    token = secrets.token_urlsafe(32)
    TOKENS[token] = grant
    return token


def issue_jwt(grant: Grant, now: datetime) -> str:
    claims = {
        "sub": grant.sub,
        "scope": grant.scope,
        "iat": now,
        "exp": grant.exp,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM)


def decode_jwt(token: str) -> dict | None:
    """The claims of a JWT this server signed, or None; expiry is checked by the caller."""
    try:
        claims = jwt.decode(
            token,
            SECRET_KEY,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "require": ["sub", "exp", "jti"]},
        )
    except jwt.InvalidTokenError:
        return None
    if not isinstance(claims["exp"], int) or not isinstance(claims.get("scope", ""), str):
        return None
    return claims


def active_grant(token: str, now: datetime) -> tuple[Grant, str | None] | None:
    """(grant, jti) of an active token of either kind, or None."""
    jti = None
    grant = TOKENS.get(token)
    if grant is None:
        claims = decode_jwt(token)
        if claims is None or claims["jti"] in REVOKED_JTIS:
            return None
        grant = Grant(claims["sub"], claims.get("scope", ""), claims["exp"])
        jti = claims["jti"]
    if now.timestamp() >= grant.exp:
        return None
    return grant, jti


@app.post("/token")
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    now: Annotated[datetime, Depends(get_now)],
    format: Annotated[Literal["opaque", "jwt"], Query()] = "opaque",
):
    user = authenticate(form.username, form.password)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    grant = Grant(
        sub=user.username,
        scope=granted_scope(user, form.scopes),
        exp=int((now + timedelta(seconds=EXPIRES_IN)).timestamp()),
    )
    access_token = issue_jwt(grant, now) if format == "jwt" else issue_opaque(grant)
    return {
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": EXPIRES_IN,
        "scope": grant.scope,
    }


@app.get("/me")
def me(
    token: Annotated[str, Depends(oauth2_scheme)],
    now: Annotated[datetime, Depends(get_now)],
):
    found = active_grant(token, now)
    if found is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid or expired token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    grant, _ = found
    return {"sub": grant.sub, "scope": grant.scope}


@app.post("/introspect")
def introspect(
    token: Annotated[str, Form()],
    now: Annotated[datetime, Depends(get_now)],
):
    found = active_grant(token, now)
    if found is None:
        return {"active": False}
    grant, _ = found
    return {"active": True, "sub": grant.sub, "scope": grant.scope, "exp": grant.exp}


@app.post("/revoke")
def revoke(
    token: Annotated[str, Form()],
    now: Annotated[datetime, Depends(get_now)],
):
    if TOKENS.pop(token, None) is None:
        found = active_grant(token, now)
        if found is not None and found[1] is not None:
            REVOKED_JTIS[found[1]] = found[0].exp
    return {}
