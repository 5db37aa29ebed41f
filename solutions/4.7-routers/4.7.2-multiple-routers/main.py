from api import api_v1
from fastapi import FastAPI
from routers import health

app = FastAPI(title="Shop API")
app.include_router(api_v1)
app.include_router(health.router, tags=["health"])
