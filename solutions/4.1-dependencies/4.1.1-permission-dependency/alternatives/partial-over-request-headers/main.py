from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import count

from fastapi import Depends, FastAPI, HTTPException, Request, Response, status
from pydantic import BaseModel, Field


@dataclass(frozen=True)
class User:
    username: str
    permissions: frozenset[str]


# Keep User and USERS as they are: the tests read them and add users of their own.
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


def get_current_user(request: Request) -> User:
    name = request.headers.get("x-user")
    if not name or name not in USERS:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return USERS[name]


def _has_permission(perm: str, user: User = Depends(get_current_user)) -> User:
    if perm not in user.permissions:
        raise HTTPException(status_code=403, detail="Forbidden")
    return user


def require_permission(perm: str) -> Callable[..., User]:
    return partial(_has_permission, perm)


app = FastAPI()


# TODO: Task 3 - protect the three routes with require_permission(...):
#       GET needs "items:read", POST needs "items:write", DELETE needs "items:delete"
@app.get(
    "/items", response_model=list[ItemOut], dependencies=[Depends(require_permission("items:read"))]
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
