from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

from fastapi import FastAPI, HTTPException, Response, status
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


# TODO: Task 1 - read the X-User header; answer 401 when it is missing or names no user in
#       USERS, otherwise return that User
def get_current_user():
    raise NotImplementedError


# TODO: Task 2 - return a new dependency that depends on get_current_user, answers 403 when
#       the user lacks `perm`, and otherwise returns the user
def require_permission(perm: str) -> Callable[..., User]:
    raise NotImplementedError


app = FastAPI()


# TODO: Task 3 - protect the three routes with require_permission(...):
#       GET needs "items:read", POST needs "items:write", DELETE needs "items:delete"
@app.get("/items", response_model=list[ItemOut])
def list_items() -> list[dict]:
    return list(ITEMS.values())


@app.post("/items", response_model=ItemOut, status_code=status.HTTP_201_CREATED)
def create_item(payload: ItemIn) -> dict:
    item_id = next(NEXT_ID)
    ITEMS[item_id] = {"id": item_id, "name": payload.name}
    return ITEMS[item_id]


@app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: int) -> Response:
    if ITEMS.pop(item_id, None) is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="no such item")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
