# WRONG: PATCH has no response model and returns the internal user, password_hash included.
from datetime import UTC, datetime

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, EmailStr, field_validator

app = FastAPI()


class UserInDB(BaseModel):
    """The internal record: never a response model."""

    id: int
    username: str
    email: EmailStr
    password_hash: str
    is_admin: bool = False
    last_login: datetime | None = None


USERS: dict[int, UserInDB] = {
    1: UserInDB(
        id=1,
        username="ada",
        email="ada@example.com",
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$YWRhLXNhbHQ$ada-hash",
        is_admin=True,
        last_login=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
    ),
    2: UserInDB(
        id=2,
        username="grace",
        email="grace@example.com",
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$Z3JhY2Utc2FsdA$grace-hash",
        is_admin=False,
        last_login=None,
    ),
}


class UserRead(BaseModel):
    id: int
    username: str
    email: EmailStr
    last_login: datetime | None


class UserPublic(BaseModel):
    id: int
    username: str


class UserUpdate(BaseModel):
    username: str | None = None
    email: EmailStr | None = None

    @field_validator("username", "email")
    @classmethod
    def not_null(cls, value: str | None) -> str:
        # Defaults are not validated, so this only runs for values the client actually sent.
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value


def get_user(user_id: int) -> UserInDB:
    user = USERS.get(user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="user not found")
    return user


@app.get("/users/{user_id}", response_model=UserRead)
def read_user(user_id: int) -> UserInDB:
    return get_user(user_id)


@app.get("/users/{user_id}/public", response_model=UserPublic)
def read_user_public(user_id: int) -> UserInDB:
    return get_user(user_id)


@app.get("/users/{user_id}/compact", response_model=UserRead, response_model_exclude_none=True)
def read_user_compact(user_id: int) -> UserInDB:
    return get_user(user_id)


@app.patch("/users/{user_id}")
def update_user(user_id: int, patch: UserUpdate):
    user = get_user(user_id)
    updated = user.model_copy(update=patch.model_dump(exclude_unset=True))
    USERS[user_id] = updated
    return updated
