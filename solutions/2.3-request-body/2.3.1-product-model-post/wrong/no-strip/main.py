# WRONG: never strips the name, so a name of spaces passes min_length=1.
from itertools import count

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI()


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    quantity: int = Field(default=0, ge=0)


class ProductOut(Product):
    id: int


_next_id = count(1)


@app.post("/products", status_code=201)
def create_product(product: Product) -> ProductOut:
    return ProductOut(id=next(_next_id), **product.model_dump())
