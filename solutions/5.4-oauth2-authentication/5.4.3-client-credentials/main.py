import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import unquote_plus

import jwt
from fastapi import Depends, FastAPI, Form, HTTPException, Request, Security, status
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials, OAuth2, SecurityScopes
from fastapi.security.utils import get_authorization_scheme_param

SECRET_KEY = "e1b7c3a9f5d2e8b4c0a6f3d9e5b1c7a4f0d6e2b8c5a1f7d3e9b6c2a8f4d0e7b3"
ALGORITHM = "HS256"
EXPIRES_IN = 900  # seconds


@dataclass(frozen=True)
class Client:
    client_id: str
    secret_hash: str  # hash_secret(the client's secret)
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
SCOPES = {"reports:read": "Read reports", "reports:write": "Create reports"}


def get_now() -> datetime:
    return datetime.now(UTC)


app = FastAPI()
basic = HTTPBasic(auto_error=False)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
UNKNOWN_CLIENT_HASH = hash_secret(secrets.token_urlsafe(32))  # compared when the id is unknown


class ClientCredentialsBearer(OAuth2):
    """A bearer token from the client-credentials flow, described as such in /docs."""

    def __init__(self, token_url: str, scopes: dict[str, str]):
        flow = OAuthFlowClientCredentials(tokenUrl=token_url, scopes=scopes)
        super().__init__(flows=OAuthFlows(clientCredentials=flow))

    async def __call__(self, request: Request) -> str:
        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        if scheme.lower() != "bearer" or not token:
            raise self.make_not_authenticated_error()  # 401, WWW-Authenticate: Bearer
        return token


bearer = ClientCredentialsBearer(token_url="oauth/token", scopes=SCOPES)


def oauth_error(status_code: int, error: str) -> JSONResponse:
    headers = dict(NO_STORE)
    if status_code == status.HTTP_401_UNAUTHORIZED:
        headers["WWW-Authenticate"] = 'Basic realm="oauth"'
    return JSONResponse({"error": error}, status_code=status_code, headers=headers)


def authenticate_client(client_id: str, client_secret: str) -> Client | None:
    client = CLIENTS.get(client_id)
    expected = client.secret_hash if client is not None else UNKNOWN_CLIENT_HASH
    matches = secrets.compare_digest(hash_secret(client_secret), expected)
    return client if client is not None and matches else None


@app.post("/oauth/token")
def issue_token(
    now: Annotated[datetime, Depends(get_now)],
    credentials: Annotated[HTTPBasicCredentials | None, Depends(basic)],
    grant_type: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
):
    if credentials is not None and (client_id is not None or client_secret is not None):
        return oauth_error(400, "invalid_request")  # one authentication method per request
    if credentials is not None:
        given_id = unquote_plus(credentials.username)
        given_secret = unquote_plus(credentials.password)
    elif client_id is not None and client_secret is not None:
        given_id, given_secret = client_id, client_secret
    else:
        return oauth_error(401, "invalid_client")
    client = authenticate_client(given_id, given_secret)
    if client is None:
        return oauth_error(401, "invalid_client")

    if grant_type is None:
        return oauth_error(400, "invalid_request")
    if grant_type != "client_credentials":
        return oauth_error(400, "unsupported_grant_type")

    requested = (scope or "").split()
    if not set(requested) <= client.scopes:
        return oauth_error(400, "invalid_scope")
    granted = " ".join(requested or sorted(client.scopes))

    claims = {
        "sub": client.client_id,
        "scope": granted,
        "iat": now,
        "exp": now + timedelta(seconds=EXPIRES_IN),
    }
    body = {
        "access_token": jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM),
        "token_type": "bearer",
        "expires_in": EXPIRES_IN,
        "scope": granted,
    }
    return JSONResponse(body, headers=NO_STORE)


def bearer_error(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def get_client(
    security_scopes: SecurityScopes,
    token: Annotated[str, Depends(bearer)],
    now: Annotated[datetime, Depends(get_now)],
) -> Client:
    try:
        claims = jwt.decode(
            token,
            SECRET_KEY,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "require": ["sub", "exp"]},
        )
    except jwt.InvalidTokenError:
        raise bearer_error("Invalid token") from None
    exp, scope = claims["exp"], claims.get("scope", "")
    if not isinstance(exp, int | float) or not isinstance(scope, str):
        raise bearer_error("Invalid token")
    if now.timestamp() >= exp:
        raise bearer_error("Token expired")
    client = CLIENTS.get(claims["sub"])
    if client is None:
        raise bearer_error("Unknown client")
    granted = set(scope.split())
    if not set(security_scopes.scopes) <= granted:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail="Insufficient scope",
            headers={
                "WWW-Authenticate": (
                    f'Bearer error="insufficient_scope", scope="{security_scopes.scope_str}"'
                )
            },
        )
    return client


@app.get("/reports")
def list_reports(client: Annotated[Client, Security(get_client, scopes=["reports:read"])]):
    return {"client_id": client.client_id, "reports": REPORTS}


@app.post("/reports", status_code=status.HTTP_201_CREATED)
def create_report(client: Annotated[Client, Security(get_client, scopes=["reports:write"])]):
    return {"client_id": client.client_id}
