# WRONG: strips the name in an after-validator, once the length was already checked.
from itertools import count

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, field_validator

app = FastAPI()


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    quantity: int = Field(default=0, ge=0)

    @field_validator("name")
    @classmethod
    def strip_name(cls, value: str) -> str:
        return value.strip()


class ProductOut(Product):
    id: int


_next_id = count(1)


@app.post("/products", status_code=201)
def create_product(product: Product) -> ProductOut:
    return ProductOut(id=next(_next_id), **product.model_dump())
