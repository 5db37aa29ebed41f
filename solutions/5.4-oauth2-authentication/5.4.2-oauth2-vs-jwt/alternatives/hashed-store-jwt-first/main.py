"""TOKENS keyed by the SHA-256 digest of each opaque token (a leaked store holds no usable
token), tokens told apart by their shape (a JWT has two dots), a set of revoked jti, and
introspection that answers through a Pydantic model without its unset fields."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import jwt
from fastapi import Depends, FastAPI, Form, HTTPException
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pwdlib import PasswordHash
from pydantic import BaseModel

SECRET_KEY = "9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a"
ALGORITHM = "HS256"
EXPIRES_IN = 600

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


TOKENS: dict[str, dict] = {}  # sha256(token) -> {"sub", "scope", "exp"}
REVOKED: set[str] = set()  # jti of revoked JWTs

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


class Introspection(BaseModel):
    active: bool
    sub: str | None = None
    scope: str | None = None
    exp: int | None = None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def jwt_claims(token: str) -> dict | None:
    try:
        claims = jwt.decode(
            token, SECRET_KEY, algorithms=[ALGORITHM], options={"verify_exp": False}
        )
    except jwt.PyJWTError:
        return None
    ok = (
        isinstance(claims.get("sub"), str)
        and isinstance(claims.get("jti"), str)
        and isinstance(claims.get("exp"), int)
        and isinstance(claims.get("scope"), str)
    )
    return claims if ok else None


def lookup(token: str, now: datetime) -> dict | None:
    if looks_like_jwt(token):
        record = jwt_claims(token)
        if record is None or record["jti"] in REVOKED:
            return None
    else:
        record = TOKENS.get(digest(token))
        if record is None:
            return None
    if now.timestamp() >= record["exp"]:
        return None
    return record


@app.post("/token")
async def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    now: Annotated[datetime, Depends(get_now)],
    format: Literal["opaque", "jwt"] = "opaque",
):
    user = authenticate(form.username, form.password)
    if not user:
        raise HTTPException(401, "Incorrect username or password", {"WWW-Authenticate": "Bearer"})
    asked = set(form.scopes)
    granted = [s for s in sorted(user.scopes) if not asked or s in asked]
    scope = " ".join(granted)
    exp = int((now + timedelta(seconds=EXPIRES_IN)).timestamp())
    if format == "jwt":
        claims = {"sub": user.username, "scope": scope, "exp": exp, "jti": secrets.token_hex(16)}
        access_token = jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM)
    else:
        access_token = secrets.token_urlsafe(32)
        TOKENS[digest(access_token)] = {"sub": user.username, "scope": scope, "exp": exp}
    return {
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": EXPIRES_IN,
        "scope": scope,
    }


@app.get("/me")
async def read_me(
    token: Annotated[str, Depends(oauth2_scheme)],
    now: Annotated[datetime, Depends(get_now)],
):
    record = lookup(token, now)
    if record is None:
        raise HTTPException(401, "Token is not active", {"WWW-Authenticate": "Bearer"})
    return {"sub": record["sub"], "scope": record["scope"]}


@app.post("/introspect", response_model=Introspection, response_model_exclude_none=True)
async def introspect(
    token: Annotated[str, Form()], now: Annotated[datetime, Depends(get_now)]
) -> Introspection:
    record = lookup(token, now)
    if record is None:
        return Introspection(active=False)
    return Introspection(active=True, sub=record["sub"], scope=record["scope"], exp=record["exp"])


@app.post("/revoke")
async def revoke(token: Annotated[str, Form()]):
    if looks_like_jwt(token):
        claims = jwt_claims(token)
        if claims is not None:
            REVOKED.add(claims["jti"])
    else:
        TOKENS.pop(digest(token), None)
    return None
