"""GET /me answers only to a valid access token."""

from datetime import datetime
from typing import Annotated

from auth import InvalidToken, decode_access_token, get_now
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

app = FastAPI()
bearer = HTTPBearer()  # a missing or non-Bearer Authorization header: 401 + WWW-Authenticate


def current_sub(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
    now: Annotated[datetime, Depends(get_now)],
) -> str:
    try:
        return decode_access_token(credentials.credentials, now)
    except InvalidToken:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid or expired token",
            headers={"WWW-Authenticate": "Bearer"},
        ) from None


@app.get("/me")
def me(sub: Annotated[str, Depends(current_sub)]) -> dict[str, str]:
    return {"sub": sub}
