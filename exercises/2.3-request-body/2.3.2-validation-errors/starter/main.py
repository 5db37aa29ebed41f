from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI()


class Dimensions(BaseModel):
    width: float = Field(gt=0)
    height: float = Field(gt=0)


class Product(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    discount_price: float | None = None
    dimensions: Dimensions | None = None
    tags: list[str] = Field(default_factory=list)

    # TODO: Task 3 - a field_validator on discount_price: it must be lower than price


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=30)
    password: str = Field(min_length=8)


# TODO: Task 1 - an exception handler for RequestValidationError answering
#       422 {"errors": [{"field": ..., "message": ..., "type": ...}, ...]}
# TODO: Task 2 - errors about the whole body (malformed JSON, no body, not an object) have
#       field "body"; no entry ever repeats the value the client sent


@app.post("/products", status_code=201)
def create_product(product: Product) -> Product:
    return product


@app.post("/users", status_code=201)
def create_user(user: UserCreate) -> dict[str, str]:
    return {"username": user.username}
