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


# TODO: Task 1 - UserRead: every field except password_hash and is_admin
#       (last_login stays in, as null when the user never logged in)


# TODO: Task 1 - GET /users/{user_id} answers a UserRead (404 for an unknown id)


# TODO: Task 2 - GET /users/{user_id}/public answers id and username only


# TODO: Task 2 - GET /users/{user_id}/compact answers the UserRead fields, minus those that are null


# TODO: Task 3 - UserUpdate (username, email; both optional, neither may be null) and
#       PATCH /users/{user_id} that changes only the fields the client sent
