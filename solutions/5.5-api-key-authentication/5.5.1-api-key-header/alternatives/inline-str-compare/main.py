import hmac
from typing import Annotated

from fastapi import FastAPI, HTTPException, Security
from fastapi.security import APIKeyHeader

app = FastAPI(title="Data API")

VALID_KEYS: dict[str, str] = {
    "reports-app": "ak_live_9f3b2c7d1e8a4f60b5c2d9e7a1f3b8c4",
    "billing-app": "ak_live_2d7e9a1c4b8f3e60a5d1c9b7e2f4a8d3",
}

ITEMS = [{"id": 1, "name": "alpha"}, {"id": 2, "name": "beta"}]

NOT_AUTHENTICATED = HTTPException(
    status_code=401,
    detail="Invalid or missing API key",
    headers={"WWW-Authenticate": "APIKey"},
)


@app.get("/data")
def read_data(
    api_key: Annotated[
        str | None, Security(APIKeyHeader(name="X-API-Key", auto_error=False))
    ] = None,
):
    if api_key is None or api_key == "":
        raise NOT_AUTHENTICATED
    match = None
    try:
        for name, key in VALID_KEYS.items():
            if hmac.compare_digest(api_key, key) and match is None:
                match = name
    except TypeError:  # non-ASCII str
        raise NOT_AUTHENTICATED from None
    if match is None:
        raise NOT_AUTHENTICATED
    return {"client": match, "items": ITEMS}
