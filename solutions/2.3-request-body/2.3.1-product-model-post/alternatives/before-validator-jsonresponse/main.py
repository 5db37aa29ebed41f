# ALTERNATIVE: a before-validator strips the name, 201 as a JSONResponse
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator


class Product(BaseModel, extra="forbid"):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    quantity: int = Field(0, ge=0)

    @field_validator("name", mode="before")
    @classmethod
    def _strip(cls, v):
        return v.strip() if isinstance(v, str) else v


app = FastAPI()
products = []


@app.post("/products")
def create(product: Product):
    products.append(product)
    return JSONResponse(status_code=201, content={"id": len(products), **product.model_dump()})
