from api import api_v1
from fastapi import FastAPI
from routers.health import router as health_router

app = FastAPI(title="Shop API")
app.include_router(api_v1)
app.include_router(health_router)
