from typing import Annotated

from errors import AuthError, InsufficientScope, TokenExpired
from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse

app = FastAPI()

# token -> who it belongs to, its scopes, and whether it has expired
TOKENS: dict[str, dict] = {
    "alice-read": {"user": "alice", "scopes": ["read"], "expired": False},
    "root-admin": {"user": "root", "scopes": ["read", "admin"], "expired": False},
    "bob-old": {"user": "bob", "scopes": ["read", "admin"], "expired": True},
}


@app.exception_handler(AuthError)
async def auth_error_handler(request: Request, exc: AuthError) -> JSONResponse:
    error = "insufficient_scope" if exc.status_code == 403 else "invalid_token"
    return JSONResponse(
        status_code=exc.status_code,
        content={"error": {"code": exc.code, "message": exc.message}},
        headers={"WWW-Authenticate": f'Bearer error="{error}"'},
    )


def current_token(authorization: Annotated[str | None, Header()] = None) -> dict:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or token not in TOKENS:
        raise AuthError()
    info = TOKENS[token]
    if info["expired"]:
        raise TokenExpired()
    return info


@app.get("/me")
def me(info: Annotated[dict, Depends(current_token)]) -> dict:
    return {"user": info["user"]}


@app.get("/admin")
def admin(info: Annotated[dict, Depends(current_token)]) -> dict:
    if "admin" not in info["scopes"]:
        raise InsufficientScope()
    return {"user": info["user"], "admin": True}
