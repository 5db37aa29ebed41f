import hmac

from fastapi import APIRouter, Depends, HTTPException, Security
from fastapi.security import APIKeyHeader

from . import orders, users

ADMIN_KEY = "let-me-in"

admin_key_header = APIKeyHeader(name="X-Admin-Key", auto_error=False)


def require_admin_key(key: str | None = Security(admin_key_header)) -> None:
    if not key or not hmac.compare_digest(key, ADMIN_KEY):
        raise HTTPException(status_code=401, detail="Admin key required")


router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin_key)])


@router.get("/stats")
async def stats():
    return {"users": len(users.USERS), "orders": len(orders.ORDERS)}
