# ALTERNATIVE: Field(exclude=True) secrets, response_model_include, setattr PATCH
from datetime import datetime, timezone

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, EmailStr, Field

app = FastAPI()


class UserInDB(BaseModel):
    model_config = ConfigDict(validate_assignment=True)
    id: int
    username: str
    email: EmailStr
    password_hash: str = Field(exclude=True)
    is_admin: bool = Field(default=False, exclude=True)
    last_login: datetime | None = None


USERS = {
    1: UserInDB(
        id=1,
        username="ada",
        email="ada@example.com",
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$YWRhLXNhbHQ$ada-hash",
        is_admin=True,
        last_login=datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc),
    ),
    2: UserInDB(
        id=2,
        username="grace",
        email="grace@example.com",
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$Z3JhY2Utc2FsdA$grace-hash",
    ),
}


class Patch(BaseModel):
    username: str = None  # explicit null fails validation, omission keeps the default
    email: EmailStr = None


def load(uid: int) -> UserInDB:
    try:
        return USERS[uid]
    except KeyError:
        raise HTTPException(404)


@app.get("/users/{uid}", response_model=UserInDB)
async def full(uid: int):
    return load(uid)


@app.get("/users/{uid}/public", response_model=UserInDB, response_model_include={"id", "username"})
async def public(uid: int):
    return load(uid)


@app.get("/users/{uid}/compact", response_model=UserInDB, response_model_exclude_none=True)
async def compact(uid: int):
    return load(uid)


@app.patch("/users/{uid}", response_model=UserInDB)
async def update(uid: int, body: Patch):
    user = load(uid)
    for k, v in body.model_dump(exclude_unset=True).items():
        setattr(user, k, v)
    return user
