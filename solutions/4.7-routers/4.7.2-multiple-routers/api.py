"""Version 1 of the API: where each router is mounted, and with what."""

from fastapi import APIRouter, Depends
from routers import admin, orders, users

api_v1 = APIRouter(prefix="/api/v1")
api_v1.include_router(users.router, prefix="/users", tags=["users"])
api_v1.include_router(orders.router, prefix="/orders", tags=["orders"])
api_v1.include_router(
    admin.router,
    prefix="/admin",
    tags=["admin"],
    dependencies=[Depends(admin.require_admin_key)],
)
