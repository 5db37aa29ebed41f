from fastapi import FastAPI
from routers import products


def create_app() -> FastAPI:
    application = FastAPI(title="Shop")
    application.include_router(products.router)
    return application


app = create_app()
