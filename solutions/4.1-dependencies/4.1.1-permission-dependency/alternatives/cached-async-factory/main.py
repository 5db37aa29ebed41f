from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from itertools import count

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Response
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


async def get_current_user(x_user: str = Header(default="")) -> User:
    if x_user not in USERS:
        raise HTTPException(status_code=401, detail="who are you?")
    return USERS[x_user]


@cache  # one dependency per permission string: the same perm gives the same callable
def require_permission(perm: str) -> Callable[..., Awaitable[User]]:
    async def has_permission(user: User = Depends(get_current_user)) -> User:
        if perm in user.permissions:
            return user
        raise HTTPException(status_code=403, detail=f"you need {perm}")

    has_permission.__name__ = f"require_{perm.replace(':', '_')}"
    return has_permission


router = APIRouter(prefix="/items")


@router.get(
    "", response_model=list[ItemOut], dependencies=[Depends(require_permission("items:read"))]
)
async def list_items():
    return list(ITEMS.values())


@router.post(
    "",
    response_model=ItemOut,
    status_code=201,
    dependencies=[Depends(require_permission("items:write"))],
)
async def create_item(payload: ItemIn):
    item = {"id": next(NEXT_ID), "name": payload.name}
    ITEMS[item["id"]] = item
    return item


@router.delete(
    "/{item_id}", status_code=204, dependencies=[Depends(require_permission("items:delete"))]
)
async def delete_item(item_id: int):
    if ITEMS.pop(item_id, None) is None:
        raise HTTPException(status_code=404, detail="no such item")
    return Response(status_code=204)


app = FastAPI()
app.include_router(router)
