import hashlib
import logging
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader, SecurityScopes
from logging_utils import RedactSecretsFilter
from pydantic import BaseModel

logger = logging.getLogger("api")
logger.addFilter(RedactSecretsFilter())


def hash_key(key: str) -> str:
    """The SHA-256 hex digest of a key: what API_KEYS is indexed by."""
    return hashlib.sha256(key.encode()).hexdigest()


# The clients, by the digest of their key (the keys themselves are stored nowhere).
API_KEYS: dict[str, dict] = {
    "9ed3714702cbab5835eb07530860d2a4a875a53f36baa5640fdbc426e8f09f4c": {
        "client": "dashboard",
        "scopes": ["read"],
    },
    "a66ea23ae7658a4cc62c5b1dabacef7ee24ded5f424a09105b7576eb40b0eb4c": {
        "client": "importer",
        "scopes": ["write"],
    },
    "bb440d244b4236cfff928a20571ce4f17e2421217a68ad3fd913b34972fff78f": {
        "client": "admin-tool",
        "scopes": ["read", "write"],
    },
}

REPORTS = [{"id": 1, "title": "Q1 sales"}, {"id": 2, "title": "Q2 sales"}]

URL_KEY_NAMES = {"api_key", "apikey"}
URL_KEY_DETAIL = "Send the API key in the X-API-Key header, not in the URL"


def refuse_keys_in_url(request: Request) -> None:
    for name, value in request.query_params.multi_items():
        if name.lower() in URL_KEY_NAMES or value.startswith("ak_"):
            raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=URL_KEY_DETAIL)


app = FastAPI(title="Reports API", dependencies=[Depends(refuse_keys_in_url)])


@app.middleware("http")
async def log_requests(request: Request, call_next):
    logger.info("%s %s", request.method, request.url)  # the filter masks any key in the URL
    return await call_next(request)


api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def current_client(
    security_scopes: SecurityScopes,
    api_key: Annotated[str | None, Security(api_key_header)],
) -> dict:
    """The client of the key; 401 without a valid key, 403 without the route's scopes."""
    # A dict lookup by digest is safe: an attacker cannot steer a SHA-256 digest.
    client = API_KEYS.get(hash_key(api_key)) if api_key else None
    if client is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Invalid or missing API key",
            headers={"WWW-Authenticate": "APIKey"},
        )
    for scope in security_scopes.scopes:
        if scope not in client["scopes"]:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, detail=f"This key lacks the {scope!r} scope"
            )
    return client


class ReportIn(BaseModel):
    title: str


@app.get("/reports")
def list_reports(client: Annotated[dict, Security(current_client, scopes=["read"])]) -> dict:
    return {"client": client["client"], "reports": REPORTS}


@app.post("/reports", status_code=status.HTTP_201_CREATED)
def create_report(
    report: ReportIn, client: Annotated[dict, Security(current_client, scopes=["write"])]
) -> dict:
    return {"client": client["client"], "title": report.title}


@app.get("/whoami")
def whoami(client: Annotated[dict, Depends(current_client)]) -> dict:
    # A key identifies an app, never the person behind it.
    return {"client": client["client"], "user": None}
