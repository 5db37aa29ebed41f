import secrets
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, status

from routers.orders import ORDERS
from routers.users import USERS

ADMIN_KEY = "let-me-in"


def require_admin_key(x_admin_key: Annotated[str | None, Header()] = None) -> None:
    """401 unless the request's X-Admin-Key header is ADMIN_KEY."""
    if x_admin_key is None or not secrets.compare_digest(x_admin_key.encode(), ADMIN_KEY.encode()):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED, detail="Missing or wrong admin key"
        )


router = APIRouter()


@router.get("/stats")
def stats() -> dict:
    return {"users": len(USERS), "orders": len(ORDERS)}
