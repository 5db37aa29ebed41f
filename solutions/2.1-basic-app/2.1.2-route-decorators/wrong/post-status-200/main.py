# WRONG: POST /items keeps the default status 200 instead of status_code=201.
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


items: list[Item] = []


@app.get("/items")
def list_items() -> list[Item]:
    return items


@app.post("/items")
def create_item(item: Item) -> Item:
    items.append(item)
    return item


app.add_api_route("/v0/items", list_items, methods=["GET"], deprecated=True)
