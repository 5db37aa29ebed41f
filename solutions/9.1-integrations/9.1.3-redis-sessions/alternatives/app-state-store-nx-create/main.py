import hmac

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from redis import Redis, RedisError
from sessions import RedisSessionStore

# The demo's accounts: user id -> password (a real app stores password hashes).
USERS = {"ada": "lovelace", "bob": "builder"}


class Login(BaseModel):
    username: str
    password: str


def store_of(request: Request) -> RedisSessionStore:
    return request.app.state.sessions


class CurrentUser:
    def __init__(self, sid: str, user_id: str):
        self.sid, self.user_id = sid, user_id


def current_user(request: Request, store: RedisSessionStore = Depends(store_of)) -> CurrentUser:  # noqa: B008
    sid = request.cookies.get("sid")
    if not sid:
        raise HTTPException(401, "login required")
    user_id = store.get(sid)
    if not user_id:
        raise HTTPException(401, "session expired or invalid")
    store.touch(sid)
    return CurrentUser(sid, user_id)


def create_app(redis: Redis) -> FastAPI:
    app = FastAPI()
    app.state.sessions = RedisSessionStore(redis)

    @app.exception_handler(RedisError)
    async def unavailable(request, exc):
        return JSONResponse(status_code=503, content={"detail": "sessions unavailable"})

    @app.post("/login")
    def login(body: Login, store: RedisSessionStore = Depends(store_of)):  # noqa: B008
        password = USERS.get(body.username, "")
        if not password or not hmac.compare_digest(password, body.password):
            raise HTTPException(401, "bad credentials")
        sid = store.create(body.username)
        resp = JSONResponse({"user_id": body.username})
        resp.set_cookie("sid", sid, httponly=True, secure=True, samesite="lax")
        return resp

    @app.get("/me")
    def me(user: CurrentUser = Depends(current_user)):  # noqa: B008
        return {"user_id": user.user_id}

    @app.post("/logout")
    def logout(user: CurrentUser = Depends(current_user), store=Depends(store_of)):  # noqa: B008
        store.destroy(user.sid)
        resp = Response(status_code=204)
        resp.delete_cookie("sid")
        return resp

    @app.post("/logout-all")
    def logout_all(user: CurrentUser = Depends(current_user), store=Depends(store_of)):  # noqa: B008
        return {"ended": store.destroy_all(user.user_id)}

    return app
