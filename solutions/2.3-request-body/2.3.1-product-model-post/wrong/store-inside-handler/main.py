# WRONG: keeps the product list inside the handler, so it restarts empty and every id is 1.
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI()


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    quantity: int = Field(default=0, ge=0)


class ProductOut(Product):
    id: int


@app.post("/products", status_code=201)
def create_product(product: Product) -> ProductOut:
    products: list[ProductOut] = []
    stored = ProductOut(id=len(products) + 1, **product.model_dump())
    products.append(stored)
    return stored
