# WRONG: sets operation_id="list_items" on both registrations of list_items (duplicate ids).
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


items: list[Item] = []


@app.get("/items", operation_id="list_items")
def list_items() -> list[Item]:
    return items


@app.post("/items", status_code=201, operation_id="create_item")
def create_item(item: Item) -> Item:
    items.append(item)
    return item


app.add_api_route(
    "/v0/items", list_items, methods=["GET"], deprecated=True, operation_id="list_items"
)
