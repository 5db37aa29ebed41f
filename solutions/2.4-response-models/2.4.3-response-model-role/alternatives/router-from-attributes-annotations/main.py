# ALTERNATIVE: APIRouter, ItemOut(from_attributes), return annotations only
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict


@dataclass
class ItemRecord:
    id: int
    name: str
    price: float
    cost_price: float
    supplier_notes: str


ITEMS = {
    1: ItemRecord(1, "Desk lamp", 39.90, 17.25, "Lumen & Co, 30-day terms, ask for Bea"),
    2: ItemRecord(2, "Notebook", 4.50, 1.10, "bulk discount above 500 units"),
}


def find_item(item_id):
    return ITEMS.get(item_id)


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    price: float


router = APIRouter()


@router.get("/items/{id}", response_model=ItemOut)
async def item(id: int) -> Any:
    if (rec := find_item(id)) is None:
        raise HTTPException(404)
    return rec


@router.get("/items-annotated/{id}")
async def item2(id: int) -> ItemOut:
    if (rec := find_item(id)) is None:
        raise HTTPException(404)
    return rec  # type: ignore[return-value]


@router.get("/broken")
async def broken() -> ItemOut:
    return {"id": 3, "name": "Mystery box", "price": "free"}  # type: ignore[return-value]


app = FastAPI()
app.include_router(router)
