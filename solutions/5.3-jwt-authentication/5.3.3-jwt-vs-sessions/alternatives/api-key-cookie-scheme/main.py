"""One app, two ways to stay logged in: a server-side session and a JWT (Tasks 1-3)."""

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
from fastapi import Depends, FastAPI, HTTPException, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from pwdlib import PasswordHash
from pydantic import BaseModel

ALGORITHM = "HS256"

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


def utc_now() -> datetime:
    """The machine's clock, timezone-aware UTC: `create_app`'s default `now`."""
    return datetime.now(UTC)


class Login(BaseModel):
    username: str
    password: str


def create_app(
    name: str,
    session_store: dict,
    secret: str,
    now: Callable[[], datetime] = utc_now,
) -> FastAPI:
    app = FastAPI(title=f"server {name}")
    cookie_scheme = APIKeyCookie(name="sid", auto_error=False)
    bearer_scheme = HTTPBearer(auto_error=False)

    def fail():
        return HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})

    @app.post("/session/login")
    def session_login(login: Login, response: Response):
        if not authenticate(login.username, login.password):
            raise fail()
        sid = secrets.token_urlsafe(32)
        session_store[sid] = login.username
        response.set_cookie(key="sid", value=sid, httponly=True, samesite="lax", secure=True)
        return {"username": login.username}

    @app.post("/session/logout", status_code=204)
    def session_logout(response: Response, sid: str | None = Depends(cookie_scheme)):
        session_store.pop(sid, None)
        response.delete_cookie("sid")

    @app.post("/jwt/login")
    def jwt_login(login: Login):
        if not authenticate(login.username, login.password):
            raise fail()
        t = now()
        token = jwt.encode(
            {"sub": login.username, "iat": t, "exp": t + timedelta(minutes=15)},
            secret,
            algorithm=ALGORITHM,
        )
        return {"access_token": token, "token_type": "bearer"}

    @app.get("/whoami")
    def whoami(
        sid: str | None = Depends(cookie_scheme),
        creds: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
    ):
        if creds:
            try:
                claims = jwt.decode(
                    creds.credentials, secret, algorithms=[ALGORITHM], options={"verify_exp": False}
                )
            except jwt.PyJWTError:
                raise fail()
            if now() >= datetime.fromtimestamp(claims["exp"], UTC):
                raise fail()
            return {"username": claims["sub"], "via": "jwt", "server": name}
        if sid and sid in session_store:
            return {"username": session_store[sid], "via": "session", "server": name}
        raise fail()

    return app
