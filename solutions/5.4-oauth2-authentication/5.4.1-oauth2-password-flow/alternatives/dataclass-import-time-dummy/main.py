"""Records as dataclasses, the dummy hash made once at import (as FastAPI's tutorial does), the
expiry read as a datetime, and a plain dict answered by /users/me."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pwdlib import PasswordHash

SECRET_KEY = "a0c1e2f3b4d5a6c7e8f9b0d1a2c3e4f5b6d7a8c9e0f1b2d3a4c5e6f7b8d9a0c1"
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30

password_hash = PasswordHash.recommended()
DUMMY_HASH = password_hash.hash("dummypassword")


def get_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class UserRecord:
    username: str
    hashed_password: str
    full_name: str | None = None
    disabled: bool = False


USERS: dict[str, UserRecord] = {}


def create_user(username, password, full_name=None, disabled=False):
    USERS[username] = UserRecord(username, password_hash.hash(password), full_name, disabled)
    return USERS[username]


CREDENTIALS_ERROR = HTTPException(
    status_code=401, detail="Not authenticated", headers={"WWW-Authenticate": "Bearer"}
)

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


@app.post("/token")
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    now: Annotated[datetime, Depends(get_now)],
):
    user = USERS.get(form.username)
    hashed = user.hashed_password if user else DUMMY_HASH
    ok = password_hash.verify(form.password, hashed)
    if user is None or not ok:
        raise CREDENTIALS_ERROR
    expires = now + timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES)
    encoded = jwt.encode({"sub": user.username, "exp": expires}, SECRET_KEY, ALGORITHM)
    return {"access_token": encoded, "token_type": "bearer"}


def current_user(
    token: Annotated[str, Depends(oauth2_scheme)], now: Annotated[datetime, Depends(get_now)]
) -> UserRecord:
    try:
        payload = jwt.decode(
            token, SECRET_KEY, algorithms=[ALGORITHM], options={"verify_exp": False}
        )
    except jwt.PyJWTError:
        raise CREDENTIALS_ERROR from None
    sub, exp = payload.get("sub"), payload.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise CREDENTIALS_ERROR
    if now >= datetime.fromtimestamp(exp, UTC):
        raise CREDENTIALS_ERROR
    user = USERS.get(sub) if isinstance(sub, str) else None
    if user is None:
        raise CREDENTIALS_ERROR
    if user.disabled:
        raise HTTPException(status_code=403, detail="Inactive user")
    return user


@app.get("/users/me")
def users_me(user: Annotated[UserRecord, Depends(current_user)]):
    return {"username": user.username, "full_name": user.full_name}
