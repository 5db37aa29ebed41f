from fastapi import APIRouter, HTTPException

USERS = [
    {"id": 1, "name": "alice"},
    {"id": 2, "name": "bob"},
    {"id": 3, "name": "carol"},
]

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/")
async def list_users():
    return USERS


@router.get("/{user_id}")
async def read_user(user_id: int):
    by_id = {user["id"]: user for user in USERS}
    if user_id not in by_id:
        raise HTTPException(404, "User not found")
    return by_id[user_id]
