"""Version 1 of the API: where each router is mounted, and with what."""

from fastapi import APIRouter, Depends
from routers import admin, orders, users
from routers.admin import require_admin_key

api_v1 = APIRouter(prefix="/api/v1")
api_v1.include_router(users.router)
api_v1.include_router(orders.router)
api_v1.include_router(admin.router, dependencies=[Depends(require_admin_key)])
