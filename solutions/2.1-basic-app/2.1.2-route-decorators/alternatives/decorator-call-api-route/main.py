# ALTERNATIVE: app.get(...)(list_items) as a call, POST via app.api_route
from typing import Annotated

from fastapi import Body, FastAPI, status
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


items: list[dict] = []


def list_items() -> list[dict]:
    return list(items)


@app.api_route("/items", methods=["POST"], status_code=status.HTTP_201_CREATED, response_model=Item)
def create_item(item: Annotated[Item, Body()]):
    items.append(item.model_dump())
    return item


app.get("/items", response_model=list[Item])(list_items)
app.router.add_api_route(
    "/v0/items", list_items, methods=["GET"], deprecated=True, response_model=list[Item]
)
