import secrets
from typing import Annotated

from fastapi import Cookie, Depends, FastAPI, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis import Redis
from redis.exceptions import RedisError
from sessions import RedisSessionStore

COOKIE = "sid"
# The demo's accounts: user id -> password (a real app stores password hashes).
USERS = {"ada": "lovelace", "bob": "builder"}


class Credentials(BaseModel):
    username: str
    password: str


def create_app(redis: Redis) -> FastAPI:
    app = FastAPI()
    store = RedisSessionStore(redis)

    @app.exception_handler(RedisError)
    async def redis_down(request: Request, exc: RedisError) -> JSONResponse:
        return JSONResponse({"detail": "session store unavailable"}, status_code=503)

    def current_session(sid: Annotated[str | None, Cookie()] = None) -> tuple[str, str]:
        user_id = store.get(sid) if sid else None
        if user_id is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not logged in")
        store.touch(sid)  # sliding expiry: every authenticated request restarts the clock
        return sid, user_id

    Session = Annotated[tuple[str, str], Depends(current_session)]

    @app.post("/login")
    def login(credentials: Credentials, response: Response) -> dict:
        expected = USERS.get(credentials.username)
        if expected is None or not secrets.compare_digest(
            expected.encode(), credentials.password.encode()
        ):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
        sid = store.create(credentials.username)
        response.set_cookie(COOKIE, sid, httponly=True, samesite="lax", max_age=store.ttl)
        return {"user_id": credentials.username}

    @app.get("/me")
    def me(session: Session) -> dict:
        return {"user_id": session[1]}

    @app.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
    def logout(session: Session, response: Response) -> None:
        store.destroy(session[0])
        response.delete_cookie(COOKIE)

    @app.post("/logout-all")
    def logout_all(session: Session, response: Response) -> dict:
        ended = store.destroy_all(session[1])
        response.delete_cookie(COOKIE)
        return {"ended": ended}

    return app
