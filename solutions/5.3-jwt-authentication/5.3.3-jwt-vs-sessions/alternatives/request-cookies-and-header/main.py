"""Sessions and JWTs from one factory; the headers and cookies are read off the Request."""

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
from fastapi import Body, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pwdlib import PasswordHash

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
    return datetime.now(UTC)


def create_app(
    name: str,
    session_store: dict,
    secret: str,
    now: Callable[[], datetime] = utc_now,
) -> FastAPI:
    app = FastAPI()

    def denied() -> HTTPException:
        return HTTPException(status_code=401, detail="Not authenticated")

    @app.post("/session/login")
    def session_login(username: str = Body(), password: str = Body()):
        if not authenticate(username, password):
            raise denied()
        sid = secrets.token_urlsafe(48)
        session_store[sid] = username
        response = JSONResponse({"username": username})
        response.set_cookie("sid", sid, httponly=True, secure=True, samesite="lax")
        return response

    @app.post("/session/logout")
    def session_logout(request: Request):
        sid = request.cookies.get("sid")
        if sid in session_store:
            del session_store[sid]
        response = Response(status_code=204)
        response.delete_cookie("sid")
        return response

    @app.post("/jwt/login")
    def jwt_login(username: str = Body(), password: str = Body()):
        if not authenticate(username, password):
            raise denied()
        issued_at = now()
        expires = issued_at + timedelta(minutes=15)
        payload = {"sub": username, "iat": issued_at, "exp": expires}
        return {"access_token": jwt.encode(payload, secret, ALGORITHM), "token_type": "bearer"}

    def user_from_jwt(token: str) -> str:
        try:
            payload = jwt.decode(
                token, secret, algorithms=[ALGORITHM], options={"verify_exp": False}
            )
        except jwt.PyJWTError:
            raise denied() from None
        exp = payload.get("exp")
        if exp is None or datetime.fromtimestamp(exp, UTC) <= now():
            raise denied()
        return payload["sub"]

    @app.get("/whoami")
    def whoami(request: Request):
        authorization = request.headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token:
            return {"username": user_from_jwt(token), "via": "jwt", "server": name}
        sid = request.cookies.get("sid")
        if sid and sid in session_store:
            return {"username": session_store[sid], "via": "session", "server": name}
        raise denied()

    return app
