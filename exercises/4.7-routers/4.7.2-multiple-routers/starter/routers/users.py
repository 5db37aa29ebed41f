from fastapi import APIRouter

USERS = [
    {"id": 1, "name": "alice"},
    {"id": 2, "name": "bob"},
    {"id": 3, "name": "carol"},
]

router = APIRouter()

# TODO: Task 1 - GET /api/v1/users/ (USERS) and GET /api/v1/users/{user_id} (the user, or 404
#       {"detail": "User not found"}), declared relative to the router's prefix
