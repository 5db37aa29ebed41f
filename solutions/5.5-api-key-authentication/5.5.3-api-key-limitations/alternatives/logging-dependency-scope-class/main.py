import hashlib
import logging
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import APIKeyHeader
from logging_utils import RedactSecretsFilter
from pydantic import BaseModel

logger = logging.getLogger("api")
logger.addFilter(RedactSecretsFilter())


def hash_key(key: str) -> str:
    """The SHA-256 hex digest of a key: what API_KEYS is indexed by."""
    return hashlib.sha256(key.encode()).hexdigest()


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


def log_request(request: Request) -> None:
    logger.info("%s %s", request.method, str(request.url))


def no_key_in_url(request: Request) -> None:
    for name, value in request.query_params.multi_items():
        if name.lower() in ("api_key", "apikey") or value.startswith("ak_"):
            raise HTTPException(400, "Send the API key in the X-API-Key header, not in the URL")


app = FastAPI(title="Reports API", dependencies=[Depends(log_request), Depends(no_key_in_url)])

key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def authenticated(key: Annotated[str | None, Depends(key_header)]) -> dict:
    client = API_KEYS.get(hash_key(key)) if key else None
    if client is None:
        raise HTTPException(
            401, "Invalid or missing API key", headers={"WWW-Authenticate": "APIKey"}
        )
    return client


class Scoped:
    def __init__(self, scope: str) -> None:
        self.scope = scope

    def __call__(self, client: Annotated[dict, Depends(authenticated)]) -> dict:
        if self.scope not in client["scopes"]:
            raise HTTPException(403, "insufficient scope")
        return client


class ReportIn(BaseModel):
    title: str


@app.get("/reports")
def list_reports(client: Annotated[dict, Depends(Scoped("read"))]) -> dict:
    return {"client": client["client"], "reports": REPORTS}


@app.post("/reports", status_code=201)
def create_report(report: ReportIn, client: Annotated[dict, Depends(Scoped("write"))]) -> dict:
    return {"client": client["client"], "title": report.title}


@app.get("/whoami")
def whoami(client: Annotated[dict, Depends(authenticated)]) -> dict:
    return {"client": client["client"], "user": None}
