import api
from fastapi import FastAPI
from routers import health

app = FastAPI()
app.include_router(api.api_v1)
app.include_router(health.router)
