# ALTERNATIVE: UserBase hierarchy, extra=forbid, APIRouter, return annotation, hash stored
import hashlib

from fastapi import APIRouter, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, EmailStr


class UserBase(BaseModel):
    username: str
    email: EmailStr


class UserCreate(UserBase):
    model_config = ConfigDict(extra="forbid")
    password: str


class UserRead(UserBase):
    id: int


router = APIRouter(prefix="/users", tags=["users"])
DB: dict[int, dict] = {}


@router.post("", status_code=201)
async def create(body: UserCreate) -> UserRead:
    if any(u["username"] == body.username for u in DB.values()):
        raise HTTPException(status_code=409, detail={"code": "username_taken"})
    uid = max(DB, default=0) + 1
    DB[uid] = {
        "id": uid,
        "username": body.username,
        "email": body.email,
        "password_hash": hashlib.sha256(body.password.encode()).hexdigest(),
    }
    return UserRead.model_validate(DB[uid])


app = FastAPI()
app.include_router(router)
