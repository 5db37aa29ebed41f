from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Response, status
from pydantic import BaseModel, Field


@dataclass(frozen=True)
class User:
    username: str
    permissions: frozenset[str]


USERS: dict[str, User] = {
    "alice": User("alice", frozenset({"items:read", "items:write", "items:delete"})),
    "bob": User("bob", frozenset({"items:read"})),
}

ITEMS: dict[int, dict] = {1: {"id": 1, "name": "hammer"}, 2: {"id": 2, "name": "saw"}}
NEXT_ID = count(3)


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class ItemOut(BaseModel):
    id: int
    name: str


def get_current_user(x_user: Annotated[str | None, Header()] = None) -> User:
    # Optional header: a required one would make FastAPI answer 422 when it is missing.
    user = USERS.get(x_user) if x_user is not None else None
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="unknown or missing X-User",
        )
    return user


def require_permission(perm: str) -> Callable[..., User]:
    # A new closure per call: each permission is its own dependency (and its own cache entry).
    def check_permission(user: Annotated[User, Depends(get_current_user)]) -> User:
        if perm not in user.permissions:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=f"missing permission {perm}",
            )
        return user

    return check_permission


app = FastAPI()


@app.get(
    "/items",
    response_model=list[ItemOut],
    dependencies=[Depends(require_permission("items:read"))],
)
def list_items() -> list[dict]:
    return list(ITEMS.values())


@app.post(
    "/items",
    response_model=ItemOut,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_permission("items:write"))],
)
def create_item(payload: ItemIn) -> dict:
    item_id = next(NEXT_ID)
    ITEMS[item_id] = {"id": item_id, "name": payload.name}
    return ITEMS[item_id]


@app.delete(
    "/items/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(require_permission("items:delete"))],
)
def delete_item(item_id: int) -> Response:
    if ITEMS.pop(item_id, None) is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="no such item")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
