# ALTERNATIVE: dict store, one model cut with response_model_exclude/include
from datetime import datetime
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from pydantic import BaseModel, EmailStr, model_validator

USERS: dict[int, dict[str, Any]] = {
    1: dict(
        id=1,
        username="ada",
        email="ada@example.com",
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$YWRhLXNhbHQ$ada-hash",
        is_admin=True,
        last_login="2025-03-01T09:30:00+00:00",
    ),
    2: dict(
        id=2,
        username="grace",
        email="grace@example.com",
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$Z3JhY2Utc2FsdA$grace-hash",
        is_admin=False,
        last_login=None,
    ),
}


class User(BaseModel):
    id: int
    username: str
    email: EmailStr
    password_hash: str
    is_admin: bool
    last_login: datetime | None


class UserPatch(BaseModel):
    username: str | None = None
    email: EmailStr | None = None

    @model_validator(mode="before")
    @classmethod
    def no_nulls(cls, data):
        if isinstance(data, dict) and any(v is None for v in data.values()):
            raise ValueError("null is not allowed")
        return data


HIDDEN = {"password_hash", "is_admin"}
router = APIRouter(prefix="/users")


def row(user_id: int):
    if user_id not in USERS:
        raise HTTPException(404, "no such user")
    return USERS[user_id]


@router.get("/{user_id}", response_model=User, response_model_exclude=HIDDEN)
def full(user_id: int):
    return row(user_id)


@router.get("/{user_id}/public", response_model=User, response_model_include={"id", "username"})
def public(user_id: int):
    return row(user_id)


@router.get(
    "/{user_id}/compact",
    response_model=User,
    response_model_exclude=HIDDEN,
    response_model_exclude_none=True,
)
def compact(user_id: int):
    return row(user_id)


@router.patch("/{user_id}", response_model=User, response_model_exclude=HIDDEN)
def patch(user_id: int, body: UserPatch):
    r = row(user_id)
    r.update(body.model_dump(exclude_unset=True))
    return r


app = FastAPI()
app.include_router(router)
