"""A class-based dependency that compares SHA-256 digests with hmac.compare_digest, imported by
name, and returns at the first match."""

import hashlib
from hmac import compare_digest
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import APIKeyHeader

app = FastAPI(title="Data API")

VALID_KEYS: dict[str, str] = {
    "reports-app": "ak_live_9f3b2c7d1e8a4f60b5c2d9e7a1f3b8c4",
    "billing-app": "ak_live_2d7e9a1c4b8f3e60a5d1c9b7e2f4a8d3",
}

ITEMS = [{"id": 1, "name": "alpha"}, {"id": 2, "name": "beta"}]


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


class ApiKeyAuth:
    def __init__(self, keys: dict[str, str]) -> None:
        self.keys = keys
        self.scheme = APIKeyHeader(name="x-api-key", scheme_name="ApiKey", auto_error=False)

    async def __call__(self, api_key: str | None) -> str:
        if api_key:
            sent = _digest(api_key)
            for client, key in list(self.keys.items()):
                if compare_digest(sent, _digest(key)):
                    return client
        raise HTTPException(
            401, detail="Invalid or missing API key", headers={"WWW-Authenticate": "APIKey"}
        )


auth = ApiKeyAuth(VALID_KEYS)


async def current_client(api_key: Annotated[str | None, Depends(auth.scheme)]) -> str:
    return await auth(api_key)


@app.get("/data")
async def read_data(client: Annotated[str, Depends(current_client)]):
    return {"client": client, "items": ITEMS}
