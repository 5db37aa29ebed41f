# ALTERNATIVE: records as Pydantic models in a repository class raising the 404
from __future__ import annotations

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

app = FastAPI(title="items")


class ItemRecord(BaseModel):
    id: int
    name: str
    price: float
    cost_price: float
    supplier_notes: str


class Repo:
    def __init__(self):
        self._rows = {
            r.id: r
            for r in [
                ItemRecord(
                    id=1,
                    name="Desk lamp",
                    price=39.9,
                    cost_price=17.25,
                    supplier_notes="Lumen & Co, 30-day terms, ask for Bea",
                ),
                ItemRecord(
                    id=2,
                    name="Notebook",
                    price=4.5,
                    cost_price=1.1,
                    supplier_notes="bulk discount above 500 units",
                ),
            ]
        }

    def get(self, i: int) -> ItemRecord:
        try:
            return self._rows[i]
        except KeyError:
            raise HTTPException(status_code=404, detail=f"no item {i}")


repo = Repo()


class ItemOut(BaseModel):
    id: int
    name: str
    price: float = Field(ge=0)


@app.get("/items/{item_id}", response_model=ItemOut)
def get_item(item_id: int) -> ItemRecord:
    return repo.get(item_id)


@app.get("/items-annotated/{item_id}")
def get_item_annotated(item_id: int) -> ItemOut:
    return ItemOut(**repo.get(item_id).model_dump(include={"id", "name", "price"}))


@app.get("/broken", response_model=ItemOut)
def broken() -> dict:
    data = {"id": 3, "name": "Mystery box", "price": "free"}
    return data
