"""One app, two ways to stay logged in: a server-side session and a JWT."""

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Cookie, Depends, FastAPI, HTTPException, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pwdlib import PasswordHash
from pydantic import BaseModel

ALGORITHM = "HS256"
ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)

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


class Credentials(BaseModel):
    username: str
    password: str


def create_app(
    name: str,
    session_store: dict,
    secret: str,
    now: Callable[[], datetime] = utc_now,
) -> FastAPI:
    """An app whose sessions live in `session_store` and whose JWTs are signed with `secret`.
    Everything it needs comes in as an argument, so two instances share only what they are
    given: the store, the secret, both or neither."""
    app = FastAPI(title=f"server {name}")
    bearer = HTTPBearer(auto_error=False)

    def unauthorized(detail: str) -> HTTPException:
        return HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail=detail,
            headers={"WWW-Authenticate": "Bearer"},
        )

    def check_credentials(body: Credentials) -> str:
        if not authenticate(body.username, body.password):
            raise unauthorized("Incorrect username or password")
        return body.username

    @app.post("/session/login")
    def session_login(body: Credentials, response: Response) -> dict:
        username = check_credentials(body)
        sid = secrets.token_urlsafe(32)  # random: the id is the whole secret
        session_store[sid] = {"username": username}
        response.set_cookie("sid", sid, httponly=True, samesite="lax")
        return {"username": username}

    @app.post("/session/logout", status_code=status.HTTP_204_NO_CONTENT)
    def session_logout(sid: Annotated[str | None, Cookie()] = None) -> Response:
        if sid is not None:
            session_store.pop(sid, None)  # the session ends now, on every server of this store
        response = Response(status_code=status.HTTP_204_NO_CONTENT)
        response.delete_cookie("sid", httponly=True, samesite="lax")
        return response

    @app.post("/jwt/login")
    def jwt_login(body: Credentials) -> dict:
        username = check_credentials(body)
        issued = now()
        claims = {"sub": username, "iat": issued, "exp": issued + ACCESS_TOKEN_LIFETIME}
        # Nothing is stored: the token carries everything, and the signature vouches for it.
        token = jwt.encode(claims, secret, algorithm=ALGORITHM)
        return {"access_token": token, "token_type": "bearer"}

    def current_user(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        sid: Annotated[str | None, Cookie()] = None,
    ) -> tuple[str, str]:
        if credentials is not None:
            try:
                claims = jwt.decode(
                    credentials.credentials,
                    secret,
                    algorithms=[ALGORITHM],
                    options={"require": ["sub", "exp"], "verify_exp": False},
                )
            except jwt.InvalidTokenError:
                raise unauthorized("Invalid token") from None
            if claims["exp"] <= now().timestamp():
                raise unauthorized("Token expired")
            return claims["sub"], "jwt"
        if sid is not None:
            session = session_store.get(sid)
            if session is not None:
                return session["username"], "session"
        raise unauthorized("Not authenticated")

    @app.get("/whoami")
    def whoami(user: Annotated[tuple[str, str], Depends(current_user)]) -> dict:
        username, via = user
        return {"username": username, "via": via, "server": name}

    return app
