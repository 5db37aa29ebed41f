import hashlib
import secrets  # noqa: F401
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta  # noqa: F401
from typing import Annotated  # noqa: F401

import jwt  # noqa: F401  (PyJWT)
from fastapi import Depends, FastAPI, Form, HTTPException, Security, status  # noqa: F401
from fastapi.responses import JSONResponse  # noqa: F401
from fastapi.security import (  # noqa: F401
    HTTPBasic,
    HTTPBasicCredentials,
    OAuth2PasswordBearer,
    SecurityScopes,
)

# A real app reads it from the environment; make your own with: openssl rand -hex 32
SECRET_KEY = "7d2a9e4f1c8b3a6e0d5f2c9b4a7e1d8c3f6b0a5e2d9c4f7b1a8e3d6c0f5b2a9e"
ALGORITHM = "HS256"
EXPIRES_IN = 900  # seconds


@dataclass(frozen=True)
class Client:
    client_id: str
    secret_hash: str  # hash_secret(the client's secret)
    scopes: frozenset[str]


def hash_secret(secret: str) -> str:
    """SHA-256 hex digest. A client secret is a long random string, so a fast hash is enough
    (a password, chosen by a person, needs a slow one such as Argon2)."""
    return hashlib.sha256(secret.encode()).hexdigest()


# Given: the registered clients. Keep them; the tests add their own too.
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
    """The current time; endpoints take it as `now: Annotated[datetime, Depends(get_now)]`."""
    return datetime.now(UTC)


app = FastAPI()

# Task 1: POST /oauth/token authenticates the client (HTTP Basic or form fields)
# Task 2: grant_type and scope, and the token response
# Task 3: GET /reports (reports:read) and POST /reports (reports:write) through SecurityScopes
