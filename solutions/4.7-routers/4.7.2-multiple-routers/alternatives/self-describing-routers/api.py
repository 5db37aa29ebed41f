from fastapi import APIRouter
from routers import admin, orders, users

api_v1 = APIRouter(prefix="/api/v1")
for module in (users, orders, admin):
    api_v1.include_router(module.router)
