# WRONG: one handler serves GET and POST /items and branches on request.method.
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


items: list[Item] = []


def list_items() -> list[Item]:
    return items


def create_item(item: Item) -> Item:
    items.append(item)
    return item


@app.api_route("/items", methods=["GET", "POST"])
async def items_endpoint(request: Request, response: Response):
    if request.method == "POST":
        item = Item.model_validate(await request.json())
        response.status_code = 201
        return create_item(item)
    return list_items()


app.add_api_route("/v0/items", list_items, methods=["GET"], deprecated=True)
