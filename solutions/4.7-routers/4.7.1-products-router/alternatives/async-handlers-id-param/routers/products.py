"""Everything about products: the models, the in-memory store and the router."""

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, Field


class ProductIn(BaseModel):
    """The body of POST and PUT."""

    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)


class Product(ProductIn):
    """A stored product, as the routes answer it."""

    id: int


STORE: dict[int, Product] = {}
COUNTER = {"last": 0}


def reset() -> None:
    """Empty the store and start the ids at 1 again."""
    STORE.clear()
    COUNTER["last"] = 0


router = APIRouter(
    prefix="/products",
    tags=["products"],
    responses={404: {"description": "Not found"}},
)


def not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="Product not found")


@router.post("/", status_code=201)
async def create(body: ProductIn) -> Product:
    COUNTER["last"] += 1
    p = Product(id=COUNTER["last"], name=body.name, price=body.price)
    STORE[p.id] = p
    return p


@router.get("/")
async def list_all() -> list[Product]:
    return [STORE[k] for k in sorted(STORE)]


@router.get("/{id}")
async def get_one(id: int) -> Product:
    if id not in STORE:
        raise not_found()
    return STORE[id]


@router.put("/{id}")
async def update(id: int, body: ProductIn) -> Product:
    if id not in STORE:
        raise not_found()
    STORE[id] = Product(id=id, **body.model_dump())
    return STORE[id]


@router.delete("/{id}", status_code=204, response_class=Response)
async def remove(id: int):
    if STORE.pop(id, None) is None:
        raise not_found()
