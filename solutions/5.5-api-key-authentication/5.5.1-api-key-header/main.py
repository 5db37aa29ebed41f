import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Security, status
from fastapi.security import APIKeyHeader

app = FastAPI(title="Data API")

# The key of each client app, by the app's name. Real keys live hashed in a database (the next
# exercise); here they are plain values, so that this exercise is about reading and comparing.
VALID_KEYS: dict[str, str] = {
    "reports-app": "ak_live_9f3b2c7d1e8a4f60b5c2d9e7a1f3b8c4",
    "billing-app": "ak_live_2d7e9a1c4b8f3e60a5d1c9b7e2f4a8d3",
}

ITEMS = [{"id": 1, "name": "alpha"}, {"id": 2, "name": "beta"}]

# auto_error=False: a missing header gives None instead of FastAPI's own 401, so that a missing
# key and a wrong key get the same answer, from one place.
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def unauthorized() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Invalid or missing API key",
        headers={"WWW-Authenticate": "APIKey"},
    )


def require_client(api_key: Annotated[str | None, Security(api_key_header)]) -> str:
    """The name of the client whose key was sent; 401 for a missing or unknown key."""
    if not api_key:
        raise unauthorized()
    sent = api_key.encode()  # compare bytes: compare_digest refuses non-ASCII str
    found = None
    for client, key in VALID_KEYS.items():  # read at each request: revocation is immediate
        if secrets.compare_digest(sent, key.encode()):
            found = client
    if found is None:
        raise unauthorized()
    return found


@app.get("/data")
def read_data(client: Annotated[str, Depends(require_client)]) -> dict:
    return {"client": client, "items": ITEMS}
