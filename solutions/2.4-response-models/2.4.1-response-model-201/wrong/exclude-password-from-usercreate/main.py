# WRONG: UserRead keeps a password field, hidden only by response_model_exclude (docs show it).
from itertools import count
from typing import Annotated

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel, EmailStr, Field

app = FastAPI()


class UserCreate(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=50)]
    email: EmailStr
    password: Annotated[str, Field(min_length=1)]


class UserRead(UserCreate):
    id: int


UserInDB = UserRead


_users: dict[str, UserInDB] = {}
_ids = count(1)


@app.post(
    "/users",
    response_model=UserRead,
    response_model_exclude={"password"},
    status_code=status.HTTP_201_CREATED,
)
def create_user(user: UserCreate) -> UserInDB:
    if user.username in _users:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="username already taken")
    stored = UserInDB(id=next(_ids), **user.model_dump())
    _users[user.username] = stored
    return stored
