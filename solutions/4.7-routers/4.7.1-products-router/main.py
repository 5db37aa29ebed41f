from fastapi import FastAPI
from routers import products

app = FastAPI(title="Shop")
app.include_router(products.router)
