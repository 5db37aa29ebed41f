import hashlib
import logging

from fastapi import FastAPI
from pydantic import BaseModel

from logging_utils import RedactSecretsFilter  # noqa: F401 - Task 3

logger = logging.getLogger("api")
# TODO: Task 3 - give the logger "api" a RedactSecretsFilter, and log every request on it


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

# TODO: Task 1 - answer 400 to any request that carries a key in its URL
app = FastAPI(title="Reports API")

# TODO: Task 1 - read the key from the X-API-Key header (APIKeyHeader) and find its client
#       by hash_key(key) in API_KEYS: 401 without a valid key
# TODO: Task 2 - 403 when the key's client lacks the route's scope


class ReportIn(BaseModel):
    title: str


@app.get("/reports")
def list_reports() -> dict:
    return {"client": None, "reports": REPORTS}


@app.post("/reports", status_code=201)
def create_report(report: ReportIn) -> dict:
    return {"client": None, "title": report.title}


# TODO: Task 2 - GET /whoami: {"client": <the key's client>, "user": None}
