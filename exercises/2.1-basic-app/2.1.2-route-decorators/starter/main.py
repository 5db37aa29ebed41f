from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


items: list[Item] = []


# TODO: Task 1 - GET /items returns the stored items: decorate a function named list_items


# TODO: Task 2 - POST /items (status 201) stores and returns an Item: a separate function
# named create_item(item: Item)


# TODO: Task 3 - register list_items again, without a decorator, at GET /v0/items,
# marked deprecated (app.add_api_route)
