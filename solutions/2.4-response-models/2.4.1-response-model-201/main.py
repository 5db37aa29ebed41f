from itertools import count
from typing import Annotated

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel, EmailStr, Field

app = FastAPI()


class UserCreate(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=50)]
    email: EmailStr
    password: Annotated[str, Field(min_length=1)]


class UserRead(BaseModel):
    id: int
    username: str
    email: EmailStr


class UserInDB(UserRead):
    password: str  # a real app stores a hash (see 5.4); never returned


_users: dict[str, UserInDB] = {}
_ids = count(1)


@app.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(user: UserCreate) -> UserInDB:
    if user.username in _users:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="username already taken")
    stored = UserInDB(id=next(_ids), **user.model_dump())
    _users[user.username] = stored
    return stored  # response_model=UserRead drops the password
