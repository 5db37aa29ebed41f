from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pwdlib import PasswordHash
from pydantic import BaseModel

SECRET_KEY = "8d1f0c5e2b7a49e3a6c4f1d9e0b27c3a5f8e6d4c2b1a0f9e8d7c6b5a4f3e2d1c"
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30

password_hash = PasswordHash.recommended()  # Argon2id


def get_now() -> datetime:
    return datetime.now(UTC)


class User(BaseModel):
    username: str
    full_name: str | None = None


class UserInDB(User):
    disabled: bool = False
    hashed_password: str


class Token(BaseModel):
    access_token: str
    token_type: str


USERS: dict[str, UserInDB] = {}


def create_user(
    username: str, password: str, full_name: str | None = None, disabled: bool = False
) -> UserInDB:
    user = UserInDB(
        username=username,
        full_name=full_name,
        disabled=disabled,
        hashed_password=password_hash.hash(password),
    )
    USERS[username] = user
    return user


_dummy_hashes: dict[int, str] = {}


def dummy_hash() -> str:
    """A hash to verify against when the username is unknown, made by the current hasher."""
    key = id(password_hash)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = password_hash.hash("not-anybody's-password")
    return _dummy_hashes[key]


def verify_password(password: str, hashed: str) -> bool:
    try:
        return password_hash.verify(password, hashed)
    except ValueError:  # bcrypt 5 refuses passwords over 72 bytes
        return False


def authenticate(username: str, password: str) -> UserInDB | None:
    user = USERS.get(username)
    if user is None:
        verify_password(password, dummy_hash())  # the same work as a wrong password
        return None
    if not verify_password(password, user.hashed_password):
        return None
    return user


def create_access_token(username: str, now: datetime) -> str:
    claims = {"sub": username, "exp": now + timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES)}
    return jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM)


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI()


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


@app.post("/token")
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    now: Annotated[datetime, Depends(get_now)],
) -> Token:
    user = authenticate(form.username, form.password)
    if user is None:
        raise unauthorized("Incorrect username or password")
    return Token(access_token=create_access_token(user.username, now), token_type="bearer")


def get_current_user(
    token: Annotated[str, Depends(oauth2_scheme)],
    now: Annotated[datetime, Depends(get_now)],
) -> UserInDB:
    try:
        claims = jwt.decode(
            token,
            SECRET_KEY,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "require": ["sub", "exp"]},
        )
        expired = now.timestamp() >= float(claims["exp"])
    except (jwt.InvalidTokenError, TypeError, ValueError):
        raise unauthorized("Could not validate credentials") from None
    if expired:
        raise unauthorized("Token expired")
    user = USERS.get(claims["sub"])
    if user is None:
        raise unauthorized("Could not validate credentials")
    return user


def get_current_active_user(user: Annotated[UserInDB, Depends(get_current_user)]) -> UserInDB:
    if user.disabled:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Inactive user")
    return user


@app.get("/users/me")
def read_users_me(user: Annotated[UserInDB, Depends(get_current_active_user)]) -> User:
    return User(username=user.username, full_name=user.full_name)
