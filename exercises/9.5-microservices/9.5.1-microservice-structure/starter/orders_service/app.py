from fastapi import FastAPI

from .users_client import UsersClient

# TODO: this service's own Base and its Order model (table "orders")


def create_app(database_url: str, users_client: UsersClient) -> FastAPI:
    app = FastAPI(title="orders")

    # TODO: the engine, a lifespan that creates the tables, POST /orders, GET /orders,
    # GET /health, GET /ready

    return app
