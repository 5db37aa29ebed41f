from fastapi import APIRouter

ADMIN_KEY = "let-me-in"


def require_admin_key() -> None:
    """TODO: Task 2 - read the X-Admin-Key header; 401 when it is missing or not ADMIN_KEY."""


router = APIRouter()

# TODO: Task 1 - GET /api/v1/admin/stats: {"users": len(USERS), "orders": len(ORDERS)}
# TODO: Task 2 - guard the whole admin router with require_admin_key, declared once
