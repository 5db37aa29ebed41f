from fastapi import APIRouter, HTTPException

USERS = [
    {"id": 1, "name": "alice"},
    {"id": 2, "name": "bob"},
    {"id": 3, "name": "carol"},
]

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/")
def get_users():
    return USERS


@router.get("/{user_id}")
def get_user(user_id: int):
    match = [u for u in USERS if u["id"] == user_id]
    if not match:
        raise HTTPException(status_code=404, detail="User not found")
    return match[0]
