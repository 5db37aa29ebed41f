from fastapi import FastAPI
from routers.products import router as products_router

app = FastAPI(title="Shop")
app.include_router(products_router)
