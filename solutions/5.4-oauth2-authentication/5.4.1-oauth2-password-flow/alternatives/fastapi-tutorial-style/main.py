"""FastAPI's tutorial shape: a DUMMY_HASH made at import, authenticate_user answering False,
create_access_token(data, expires_delta), async dependencies, and response_model=User
filtering the stored record."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from jwt.exceptions import InvalidTokenError
from pwdlib import PasswordHash
from pydantic import BaseModel

SECRET_KEY = "3f6c2a9d8e1b4f7a0c5d2e9b6a3f8c1d4e7b0a9f2c5d8e1b4a7f0c3d6e9b2a5f"
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30

password_hash = PasswordHash.recommended()  # Argon2id
DUMMY_HASH = password_hash.hash("dummypassword")


def get_now() -> datetime:
    return datetime.now(UTC)


class Token(BaseModel):
    access_token: str
    token_type: str


class User(BaseModel):
    username: str
    full_name: str | None = None


class UserInDB(User):
    disabled: bool = False
    hashed_password: str


USERS: dict[str, UserInDB] = {}


def create_user(username: str, password: str, full_name: str | None = None, disabled: bool = False):
    user = UserInDB(
        username=username,
        full_name=full_name,
        disabled=disabled,
        hashed_password=password_hash.hash(password),
    )
    USERS[username] = user
    return user


def verify_password(plain_password, hashed_password):
    return password_hash.verify(plain_password, hashed_password)


def authenticate_user(username: str, password: str):
    user = USERS.get(username)
    if not user:
        verify_password(password, DUMMY_HASH)
        return False
    if not verify_password(password, user.hashed_password):
        return False
    return user


def create_access_token(data: dict, expires_delta: timedelta, now: datetime):
    to_encode = data.copy()
    to_encode.update({"exp": now + expires_delta})
    return jwt.encode(to_encode, SECRET_KEY, algorithm=ALGORITHM)


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI()


async def get_current_user(
    token: Annotated[str, Depends(oauth2_scheme)], now: Annotated[datetime, Depends(get_now)]
):
    credentials_exception = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )
    try:
        payload = jwt.decode(
            token, SECRET_KEY, algorithms=[ALGORITHM], options={"verify_exp": False}
        )
        username = payload.get("sub")
        exp = payload.get("exp")
        if username is None or exp is None:
            raise credentials_exception
        if not isinstance(exp, (int, float)) or now.timestamp() >= exp:
            raise credentials_exception
    except InvalidTokenError:
        raise credentials_exception
    user = USERS.get(username)
    if user is None:
        raise credentials_exception
    return user


async def get_current_active_user(current_user: Annotated[UserInDB, Depends(get_current_user)]):
    if current_user.disabled:
        raise HTTPException(status_code=403, detail="Inactive user")
    return current_user


@app.post("/token")
async def login_for_access_token(
    form_data: Annotated[OAuth2PasswordRequestForm, Depends()],
    now: Annotated[datetime, Depends(get_now)],
) -> Token:
    user = authenticate_user(form_data.username, form_data.password)
    if not user:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    access_token = create_access_token(
        data={"sub": user.username},
        expires_delta=timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES),
        now=now,
    )
    return Token(access_token=access_token, token_type="bearer")


@app.get("/users/me", response_model=User)
async def read_users_me(current_user: Annotated[UserInDB, Depends(get_current_active_user)]):
    return current_user
