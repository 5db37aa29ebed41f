# ALTERNATIVE: StringConstraints / PositiveFloat / NonNegativeInt, async handler, dict store
from typing import Annotated

from fastapi import FastAPI, status
from pydantic import BaseModel, ConfigDict, NonNegativeInt, PositiveFloat, StringConstraints

app = FastAPI()

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    price: PositiveFloat
    quantity: NonNegativeInt = 0


DB: dict[int, dict] = {}


@app.post("/products", status_code=status.HTTP_201_CREATED)
async def create(product: Product):
    new_id = max(DB, default=100) + 10
    DB[new_id] = {"id": new_id, **product.model_dump()}
    return DB[new_id]


@app.get("/products")
def list_products():
    return list(DB.values())
