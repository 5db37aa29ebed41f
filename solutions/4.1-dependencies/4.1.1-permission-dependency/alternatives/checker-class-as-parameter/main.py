from dataclasses import dataclass
from itertools import count
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Response, Security, status
from fastapi.security import APIKeyHeader
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


# A security scheme: FastAPI answers 401 by itself when the header is missing, and /docs shows
# an "Authorize" button for it.
x_user_header = APIKeyHeader(name="X-User")


def get_current_user(name: Annotated[str, Security(x_user_header)]) -> User:
    try:
        return USERS[name]
    except KeyError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown user") from None


class PermissionChecker:
    """A callable instance is a dependency too: FastAPI inspects `__call__`'s parameters."""

    def __init__(self, perm: str) -> None:
        self.perm = perm

    def __call__(self, user: Annotated[User, Depends(get_current_user)]) -> User:
        if self.perm not in user.permissions:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"{self.perm} required")
        return user


def require_permission(perm: str) -> PermissionChecker:
    return PermissionChecker(perm)


app = FastAPI()


@app.get("/items", response_model=list[ItemOut])
def list_items(user: Annotated[User, Depends(require_permission("items:read"))]) -> list[dict]:
    return list(ITEMS.values())


@app.post("/items", response_model=ItemOut, status_code=status.HTTP_201_CREATED)
def create_item(
    user: Annotated[User, Depends(require_permission("items:write"))], payload: ItemIn
) -> dict:
    item_id = next(NEXT_ID)
    ITEMS[item_id] = {"id": item_id, "name": payload.name}
    return ITEMS[item_id]


@app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(
    item_id: int, user: Annotated[User, Depends(require_permission("items:delete"))]
) -> Response:
    if item_id not in ITEMS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such item")
    del ITEMS[item_id]
    return Response(status_code=status.HTTP_204_NO_CONTENT)
