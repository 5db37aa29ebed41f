from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException

app = FastAPI()

# token -> who it belongs to, its scopes, and whether it has expired
TOKENS: dict[str, dict] = {
    "alice-read": {"user": "alice", "scopes": ["read"], "expired": False},
    "root-admin": {"user": "root", "scopes": ["read", "admin"], "expired": False},
    "bob-old": {"user": "bob", "scopes": ["read", "admin"], "expired": True},
}

# TODO: one exception handler registered on errors.AuthError


def current_token(authorization: Annotated[str | None, Header()] = None) -> dict:
    # TODO: raise AuthError / TokenExpired instead of HTTPException
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or token not in TOKENS:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return TOKENS[token]


@app.get("/me")
def me(info: Annotated[dict, Depends(current_token)]) -> dict:
    return {"user": info["user"]}


@app.get("/admin")
def admin(info: Annotated[dict, Depends(current_token)]) -> dict:
    # TODO: InsufficientScope when "admin" is not among the scopes
    return {"user": info["user"], "admin": True}
