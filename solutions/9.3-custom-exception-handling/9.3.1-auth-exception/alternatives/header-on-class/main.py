import errors
from fastapi import FastAPI, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

TOKENS: dict[str, dict] = {
    "alice-read": {"user": "alice", "scopes": ["read"], "expired": False},
    "root-admin": {"user": "root", "scopes": ["read", "admin"], "expired": False},
    "bob-old": {"user": "bob", "scopes": ["read", "admin"], "expired": True},
}

bearer = HTTPBearer(auto_error=False)


def render_auth_error(request: Request, exc: errors.AuthError) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}},
        status_code=exc.status_code,
        headers=exc.headers,
    )


app = FastAPI()
app.add_exception_handler(errors.AuthError, render_auth_error)


def token_info(creds: HTTPAuthorizationCredentials | None, needs: str | None = None) -> dict:
    if creds is None:
        raise errors.AuthError()
    info = TOKENS.get(creds.credentials)
    if info is None:
        raise errors.AuthError("Unknown token")
    if info["expired"]:
        raise errors.TokenExpired()
    if needs and needs not in info["scopes"]:
        raise errors.InsufficientScope(f"Scope {needs!r} required")
    return info


@app.get("/me")
def me(creds: HTTPAuthorizationCredentials | None = Security(bearer)):
    return {"user": token_info(creds)["user"]}


@app.get("/admin")
def admin(creds: HTTPAuthorizationCredentials | None = Security(bearer)):
    info = token_info(creds, "admin")
    return {"user": info["user"], "admin": True}
