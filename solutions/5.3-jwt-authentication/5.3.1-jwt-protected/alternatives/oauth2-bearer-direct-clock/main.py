"""GET /me behind OAuth2PasswordBearer; the clock is read by calling get_now()."""

from datetime import UTC, datetime
from typing import Annotated

import jwt
from auth import ALGORITHM, SECRET_KEY, get_now
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")

UNAUTHORIZED = HTTPException(
    status_code=401,
    detail="Could not validate credentials",
    headers={"WWW-Authenticate": "Bearer"},
)


def get_current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> str:
    try:
        payload = jwt.decode(
            token, SECRET_KEY, algorithms=[ALGORITHM], options={"verify_exp": False}
        )
    except jwt.PyJWTError:
        raise UNAUTHORIZED from None
    if payload.get("type") != "access":
        raise UNAUTHORIZED
    exp = payload.get("exp")
    if not isinstance(exp, int | float):
        raise UNAUTHORIZED
    if datetime.fromtimestamp(exp, UTC) <= get_now():
        raise UNAUTHORIZED
    sub = payload.get("sub")
    if not isinstance(sub, str):
        raise UNAUTHORIZED
    return sub


@app.get("/me")
async def read_me(user: Annotated[str, Depends(get_current_user)]):
    return {"sub": user}
