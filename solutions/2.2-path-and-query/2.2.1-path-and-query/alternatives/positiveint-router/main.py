# ALTERNATIVE: PositiveInt id and inline Literal status on an APIRouter
from typing import Literal

from fastapi import APIRouter, FastAPI
from pydantic import PositiveInt

router = APIRouter(prefix="/users")


@router.get("/{user_id}")
def read_user(user_id: PositiveInt, status: Literal["active", "inactive"] | None = None):
    return dict(user_id=user_id, status=status)


app = FastAPI()
app.include_router(router)
