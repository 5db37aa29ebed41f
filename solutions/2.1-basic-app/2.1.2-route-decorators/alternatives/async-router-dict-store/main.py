# ALTERNATIVE: async handlers on an APIRouter, a dict store with ids, extra=forbid
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ConfigDict

app = FastAPI(title="Items")
router = APIRouter(tags=["items"])


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    price: float


_db: dict[int, dict] = {}


@router.get("/items")
async def list_items():
    return [{"id": i, **row} for i, row in sorted(_db.items())]


@router.post("/items", status_code=201)
async def create_item(item: Item):
    new_id = len(_db) + 1
    _db[new_id] = item.model_dump()
    return {"id": new_id, **_db[new_id]}


router.add_api_route("/v0/items", list_items, deprecated=True)
app.include_router(router)
