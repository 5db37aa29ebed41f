# ALTERNATIVE: str Enum status, Path(ge=1), async handler with a UserOut response model
from enum import Enum

from fastapi import FastAPI, Path, Query
from pydantic import BaseModel

app = FastAPI()


class Status(str, Enum):
    active = "active"
    inactive = "inactive"


class UserOut(BaseModel):
    user_id: int
    status: Status | None


@app.get("/users/{user_id}", response_model=UserOut)
async def read_user(user_id: int = Path(ge=1), status: Status | None = Query(None)):
    return UserOut(user_id=user_id, status=status)
