"""The Basic header parsed by hand, OAuth2 errors raised as an exception that a handler turns
into {"error": ...}, hmac's compare_digest imported by name, the token read with HTTPBearer,
and async routes."""

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hmac import compare_digest
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, Form, HTTPException, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

SECRET_KEY = "f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2"
ALGORITHM = "HS256"
EXPIRES_IN = 900


@dataclass(frozen=True)
class Client:
    client_id: str
    secret_hash: str
    scopes: frozenset[str]


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


CLIENTS: dict[str, Client] = {
    "reporting-job": Client(
        "reporting-job",
        hash_secret("WWQmJM2W8Q4o90xh4hykKcGTOK3gBK5n"),
        frozenset({"reports:read"}),
    ),
    "etl-pipeline": Client(
        "etl-pipeline",
        hash_secret("CuqrfA5bBd_oDCYRuktgOjPxOYLImjyy"),
        frozenset({"reports:read", "reports:write"}),
    ),
}

REPORTS = ["daily-sales", "weekly-traffic"]


def get_now() -> datetime:
    return datetime.now(UTC)


class OAuthError(Exception):
    def __init__(self, error: str, status_code: int = 400, description: str | None = None):
        self.error, self.status_code, self.description = error, status_code, description


app = FastAPI()
http_bearer = HTTPBearer()


@app.exception_handler(OAuthError)
async def oauth_error_handler(request: Request, exc: OAuthError) -> JSONResponse:
    body = {"error": exc.error}
    if exc.description:
        body["error_description"] = exc.description
    headers = {"Cache-Control": "no-store"}
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Basic"
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, sep, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", 401) from None
    if not sep:
        raise OAuthError("invalid_client", 401)
    return client_id, secret


@app.post("/oauth/token")
async def token_endpoint(
    request: Request,
    now: Annotated[datetime, Depends(get_now)],
    grant_type: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
):
    from_header = basic_credentials(request)
    from_form = (client_id, client_secret) if client_id or client_secret else None
    if from_header and from_form:
        raise OAuthError("invalid_request", description="use one client authentication method")
    cid, secret = from_header or from_form or (None, None)
    if not cid or not secret:
        raise OAuthError("invalid_client", 401)
    client = CLIENTS.get(cid)
    stored = client.secret_hash if client else hash_secret("")
    if not compare_digest(hash_secret(secret).encode(), stored.encode()) or client is None:
        raise OAuthError("invalid_client", 401)
    if not grant_type:
        raise OAuthError("invalid_request", description="grant_type is required")
    if grant_type != "client_credentials":
        raise OAuthError("unsupported_grant_type")
    asked = set((scope or "").split())
    if asked - client.scopes:
        raise OAuthError("invalid_scope")
    granted = " ".join(sorted(asked or client.scopes))
    access_token = jwt.encode(
        {"sub": client.client_id, "scope": granted, "exp": now + timedelta(seconds=EXPIRES_IN)},
        SECRET_KEY,
        algorithm=ALGORITHM,
    )
    return JSONResponse(
        {
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": EXPIRES_IN,
            "scope": granted,
        },
        headers={"Cache-Control": "no-store"},
    )


async def require_client(
    security_scopes: SecurityScopes,
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(http_bearer)],
    now: Annotated[datetime, Depends(get_now)],
) -> Client:
    unauthorized = HTTPException(401, "Invalid token", {"WWW-Authenticate": "Bearer"})
    try:
        claims = jwt.decode(
            credentials.credentials,
            SECRET_KEY,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "require": ["exp", "sub"]},
        )
    except jwt.PyJWTError:
        raise unauthorized from None
    if not isinstance(claims["exp"], int) or now >= datetime.fromtimestamp(claims["exp"], UTC):
        raise unauthorized
    client = CLIENTS.get(claims["sub"])
    if client is None:
        raise unauthorized
    held = str(claims.get("scope", "")).split()
    for needed in security_scopes.scopes:
        if needed not in held:
            raise HTTPException(
                403,
                "Not enough permissions",
                {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{needed}"'},
            )
    return client


@app.get("/reports")
async def get_reports(client: Annotated[Client, Security(require_client, scopes=["reports:read"])]):
    return {"client_id": client.client_id, "reports": REPORTS}


@app.post("/reports", status_code=201)
async def post_report(
    client: Annotated[Client, Security(require_client, scopes=["reports:write"])],
):
    return {"client_id": client.client_id}
