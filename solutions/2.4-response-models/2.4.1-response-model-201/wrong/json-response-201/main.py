# WRONG: builds JSONResponse(status_code=201) by hand; no response_model, no status_code.
from itertools import count
from typing import Annotated

from fastapi import FastAPI, HTTPException, status
from fastapi.responses import JSONResponse
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
    password: str


_users: dict[str, UserInDB] = {}
_ids = count(1)


@app.post("/users")
def create_user(user: UserCreate):
    if user.username in _users:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="username already taken")
    stored = UserInDB(id=next(_ids), **user.model_dump())
    _users[user.username] = stored
    public = UserRead(id=stored.id, username=stored.username, email=stored.email)
    return JSONResponse(status_code=201, content=public.model_dump())
