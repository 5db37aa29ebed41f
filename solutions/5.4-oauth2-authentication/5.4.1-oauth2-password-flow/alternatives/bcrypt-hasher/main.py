"""bcrypt through pwdlib, with passwords over bcrypt's 72 bytes refused before hashing (the same
dummy verify as any wrong password), and async endpoints."""

from datetime import UTC, datetime
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pwdlib import PasswordHash
from pwdlib.hashers.bcrypt import BcryptHasher
from pydantic import BaseModel

SECRET_KEY = "5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d"
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30
BCRYPT_LIMIT = 72

password_hash = PasswordHash((BcryptHasher(),))


def get_now() -> datetime:
    return datetime.now(UTC)


class PublicUser(BaseModel):
    username: str
    full_name: str | None = None


class StoredUser(PublicUser):
    disabled: bool = False
    hashed_password: str


USERS: dict[str, StoredUser] = {}


def create_user(username, password, full_name=None, disabled=False) -> StoredUser:
    if len(password.encode()) > BCRYPT_LIMIT:
        raise ValueError("passwords are limited to 72 bytes")
    user = StoredUser(
        username=username,
        full_name=full_name,
        disabled=disabled,
        hashed_password=password_hash.hash(password),
    )
    USERS[username] = user
    return user


_dummy: dict[int, str] = {}


def check_password(password: str, user: StoredUser | None) -> bool:
    if user is None or len(password.encode()) > BCRYPT_LIMIT:
        if id(password_hash) not in _dummy:
            _dummy[id(password_hash)] = password_hash.hash("x" * 16)
        password_hash.verify(password.encode()[:BCRYPT_LIMIT], _dummy[id(password_hash)])
        return False
    return password_hash.verify(password, user.hashed_password)


app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def bearer_error(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, {"WWW-Authenticate": "Bearer"})


@app.post("/token")
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    now: Annotated[datetime, Depends(get_now)],
):
    user = USERS.get(form.username)
    if not check_password(form.password, user):
        raise bearer_error("Incorrect username or password")
    exp = int(now.timestamp()) + ACCESS_TOKEN_EXPIRE_MINUTES * 60
    return {
        "access_token": jwt.encode({"sub": user.username, "exp": exp}, SECRET_KEY, ALGORITHM),
        "token_type": "bearer",
    }


async def get_current_user(
    token: Annotated[str, Depends(oauth2_scheme)], now: Annotated[datetime, Depends(get_now)]
) -> StoredUser:
    try:
        claims = jwt.decode(
            token,
            SECRET_KEY,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"], "verify_exp": False},
        )
    except jwt.InvalidTokenError:
        raise bearer_error("Invalid token") from None
    exp = claims["exp"]
    if not isinstance(exp, int | float) or now.timestamp() >= exp:
        raise bearer_error("Token expired")
    user = USERS.get(claims["sub"])
    if user is None:
        raise bearer_error("Invalid token")
    return user


async def get_active_user(user: Annotated[StoredUser, Depends(get_current_user)]) -> StoredUser:
    if user.disabled:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Inactive user")
    return user


@app.get("/users/me", response_model=PublicUser)
async def me(user: Annotated[StoredUser, Depends(get_active_user)]):
    return user
