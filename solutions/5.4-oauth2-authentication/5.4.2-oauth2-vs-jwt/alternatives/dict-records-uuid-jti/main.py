"""Opaque records as dicts with an aware expires_at datetime, uuid4 jti, a set of revoked jti,
one check_token() for /me, /introspect and /revoke, and format as a plain Literal parameter."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import jwt
from fastapi import Depends, FastAPI, Form, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pwdlib import PasswordHash

# A real app reads it from the environment; make your own with: openssl rand -hex 32
SECRET_KEY = "c4a9f2e7d1b8a3f6e0c5d2b9a4f7e1c8d3b6a0f5e2c9d4b7a1f8e3c6d0b5a2f9"
ALGORITHM = "HS256"
EXPIRES_IN = 600  # seconds: every access token, opaque or JWT, lives 10 minutes

password_hash = PasswordHash.recommended()


@dataclass(frozen=True)
class User:
    username: str
    hashed_password: str
    scopes: frozenset[str]


# Given: the users (their hashes were made with cheap Argon2 parameters so that the tests run
# fast; PasswordHash.recommended() verifies them all the same). Keep them as they are.
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
    """Given: the user whose password this is, or None (the same work for an unknown user)."""
    user = USERS.get(username)
    matches = password_hash.verify(password, user.hashed_password if user else _DUMMY_HASH)
    return user if user is not None and matches else None


def get_now() -> datetime:
    """The current time; endpoints take it as `now: Annotated[datetime, Depends(get_now)]`."""
    return datetime.now(UTC)


TOKENS: dict[str, dict] = {}
REVOKED_JTI: set[str] = set()

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def credentials_error() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )


def check_token(token: str, now: datetime) -> dict | None:
    """Answer {"sub", "scope", "exp", "jti"?} for an active token, else None."""
    record = TOKENS.get(token)
    if record is not None:
        if now >= record["expires_at"]:
            return None
        return {
            "sub": record["username"],
            "scope": " ".join(record["scopes"]),
            "exp": int(record["expires_at"].timestamp()),
        }
    try:
        payload = jwt.decode(
            token, SECRET_KEY, algorithms=[ALGORITHM], options={"verify_exp": False}
        )
    except jwt.InvalidTokenError:
        return None
    exp = payload.get("exp")
    jti = payload.get("jti")
    if not isinstance(exp, int) or not isinstance(payload.get("sub"), str):
        return None
    if jti in REVOKED_JTI or now.timestamp() >= exp:
        return None
    return {"sub": payload["sub"], "scope": payload.get("scope", ""), "exp": exp, "jti": jti}


@app.post("/token")
def login(
    form_data: Annotated[OAuth2PasswordRequestForm, Depends()],
    now: Annotated[datetime, Depends(get_now)],
    format: Literal["opaque", "jwt"] = "opaque",
):
    user = authenticate(form_data.username, form_data.password)
    if user is None:
        raise HTTPException(
            status_code=401,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if form_data.scopes:
        granted = [s for s in form_data.scopes if s in user.scopes]
    else:
        granted = list(user.scopes)
    expires_at = now + timedelta(seconds=EXPIRES_IN)
    if format == "jwt":
        token = jwt.encode(
            {
                "sub": user.username,
                "scope": " ".join(granted),
                "exp": expires_at,
                "jti": str(uuid.uuid4()),
            },
            SECRET_KEY,
            algorithm=ALGORITHM,
        )
    else:
        token = secrets.token_urlsafe(32)
        TOKENS[token] = {"username": user.username, "scopes": granted, "expires_at": expires_at}
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": EXPIRES_IN,
        "scope": " ".join(granted),
    }


@app.get("/me")
def me(token: Annotated[str, Depends(oauth2_scheme)], now: Annotated[datetime, Depends(get_now)]):
    info = check_token(token, now)
    if info is None:
        raise credentials_error()
    return {"sub": info["sub"], "scope": info["scope"]}


@app.post("/introspect")
def introspect(token: Annotated[str, Form()], now: Annotated[datetime, Depends(get_now)]):
    info = check_token(token, now)
    if info is None:
        return {"active": False}
    return {"active": True, "sub": info["sub"], "scope": info["scope"], "exp": info["exp"]}


@app.post("/revoke")
def revoke(token: Annotated[str, Form()], now: Annotated[datetime, Depends(get_now)]):
    if token in TOKENS:
        del TOKENS[token]
    else:
        info = check_token(token, now)
        if info is not None and info.get("jti"):
            REVOKED_JTI.add(info["jti"])
    return {"revoked": True}
