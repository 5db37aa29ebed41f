from dataclasses import dataclass

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()


# --- The repository: internal records, as a database layer would hand them out -------------


@dataclass
class ItemRecord:
    id: int
    name: str
    price: float
    cost_price: float
    supplier_notes: str


ITEMS: dict[int, ItemRecord] = {
    1: ItemRecord(1, "Desk lamp", 39.90, 17.25, "Lumen & Co, 30-day terms, ask for Bea"),
    2: ItemRecord(2, "Notebook", 4.50, 1.10, "bulk discount above 500 units"),
}


def find_item(item_id: int) -> ItemRecord | None:
    return ITEMS.get(item_id)


# --- The public contract --------------------------------------------------------------------


# TODO: Task 1 - the public shape of an item: id, name, price (nothing internal)
class ItemOut(BaseModel):
    pass


# TODO: Task 1 - GET /items/{item_id}: return the repository record, and let
#       response_model=ItemOut filter it (404 for an unknown id)


# TODO: Task 2 - GET /items-annotated/{item_id}: the same answer, declared with the
#       return annotation `-> ItemOut` instead of response_model


# TODO: Task 3 - GET /broken: declare ItemOut as the response model and return the dict
#       {"id": 3, "name": "Mystery box", "price": "free"}
