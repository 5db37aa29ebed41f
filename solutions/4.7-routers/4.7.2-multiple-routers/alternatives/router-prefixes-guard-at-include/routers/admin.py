from fastapi import APIRouter, Header, HTTPException

from routers.orders import ORDERS
from routers.users import USERS

ADMIN_KEY = "let-me-in"


def require_admin_key(x_admin_key: str = Header(default="", alias="X-Admin-Key")) -> None:
    if x_admin_key != ADMIN_KEY:
        raise HTTPException(status_code=401, detail="Unauthorized")


router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/stats")
def get_stats():
    return {"users": len(USERS), "orders": len(ORDERS)}
