# WRONG: /broken builds ItemOut itself: a ValidationError in the handler, not response validation.
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


class ItemOut(BaseModel):
    id: int
    name: str
    price: float


def item_or_404(item_id: int) -> ItemRecord:
    record = find_item(item_id)
    if record is None:
        raise HTTPException(status_code=404, detail="item not found")
    return record


@app.get("/items/{item_id}", response_model=ItemOut)
def read_item(item_id: int) -> ItemRecord:
    # Returns the whole record; response_model=ItemOut validates it and keeps only its fields.
    # (When both are given, response_model wins over the return annotation.)
    return item_or_404(item_id)


@app.get("/items-annotated/{item_id}")
def read_item_annotated(item_id: int) -> ItemOut:
    # No response_model: FastAPI takes ItemOut from the return annotation.
    return ItemOut.model_validate(item_or_404(item_id), from_attributes=True)


@app.get("/broken", response_model=ItemOut)
def broken() -> ItemOut:
    return ItemOut(id=3, name="Mystery box", price="free")
