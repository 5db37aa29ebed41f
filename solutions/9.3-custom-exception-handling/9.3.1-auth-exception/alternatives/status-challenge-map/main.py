from errors import AuthError, InsufficientScope, TokenExpired
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()

TOKENS: dict[str, dict] = {
    "alice-read": {"user": "alice", "scopes": ["read"], "expired": False},
    "root-admin": {"user": "root", "scopes": ["read", "admin"], "expired": False},
    "bob-old": {"user": "bob", "scopes": ["read", "admin"], "expired": True},
}

CHALLENGE = {401: 'Bearer error="invalid_token"', 403: 'Bearer error="insufficient_scope"'}


def handle_auth(request: Request, exc: AuthError):
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}},
        status_code=exc.status_code,
        headers={"WWW-Authenticate": CHALLENGE[exc.status_code]},
    )


app.add_exception_handler(AuthError, handle_auth)


def user(request: Request) -> dict:
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Bearer "):
        raise AuthError()
    info = TOKENS.get(auth.removeprefix("Bearer ").strip())
    if not info:
        raise AuthError("Unknown token")
    if info["expired"]:
        raise TokenExpired()
    return info


def scope(name: str):
    def check(info: dict = Depends(user)) -> dict:
        if name not in info["scopes"]:
            raise InsufficientScope()
        return info

    return check


@app.get("/me")
def me(info: dict = Depends(user)):
    return {"user": info["user"]}


@app.get("/admin")
def admin(info: dict = Depends(scope("admin"))):
    return {"user": info["user"], "admin": True}
