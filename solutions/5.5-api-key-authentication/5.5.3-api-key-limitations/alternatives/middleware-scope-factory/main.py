"""One HTTP middleware logs every request and refuses keys in the URL before routing; a
dependency factory checks one scope per route."""

import hashlib
import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from logging_utils import RedactSecretsFilter
from pydantic import BaseModel

log = logging.getLogger("api")
log.addFilter(RedactSecretsFilter())


def hash_key(key: str) -> str:
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

app = FastAPI(title="Reports API")


def key_in_url(request: Request) -> bool:
    return any(
        name.casefold() in ("api_key", "apikey") or value.startswith("ak_")
        for name, value in request.query_params.multi_items()
    )


@app.middleware("http")
async def keys_stay_out_of_urls(request: Request, call_next):
    log.info(f"{request.method} {request.url}")
    if key_in_url(request):
        return JSONResponse(
            {"detail": "Send the API key in the X-API-Key header, not in the URL"},
            status_code=400,
        )
    return await call_next(request)


header = APIKeyHeader(name="X-API-Key", auto_error=False)


async def caller(api_key: Annotated[str | None, Depends(header)]) -> dict:
    found = API_KEYS.get(hash_key(api_key)) if api_key else None
    if not found:
        raise HTTPException(
            401, "Invalid or missing API key", headers={"WWW-Authenticate": "APIKey"}
        )
    return found


def require_scope(scope: str) -> Callable:
    async def check(client: Annotated[dict, Depends(caller)]) -> dict:
        if scope not in client.get("scopes", ()):
            raise HTTPException(403, f"the scope {scope} is required")
        return client

    return check


class NewReport(BaseModel):
    title: str


@app.get("/reports")
async def reports(client: Annotated[dict, Depends(require_scope("read"))]):
    return {"client": client["client"], "reports": REPORTS}


@app.post("/reports", status_code=201)
async def new_report(body: NewReport, client: Annotated[dict, Depends(require_scope("write"))]):
    return {"client": client["client"], "title": body.title}


@app.get("/whoami")
async def whoami(client: Annotated[dict, Depends(caller)]):
    return {"client": client["client"], "user": None}
