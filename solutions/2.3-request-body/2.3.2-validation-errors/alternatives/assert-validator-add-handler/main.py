# ALTERNATIVE: discount rule as an assert, handler via app.add_exception_handler
from typing import Optional

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

app = FastAPI()


class Dimensions(BaseModel):
    width: float = Field(gt=0)
    height: float = Field(gt=0)


class Product(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    discount_price: Optional[float] = None
    dimensions: Optional[Dimensions] = None
    tags: list[str] = Field(default_factory=list)

    @field_validator("discount_price")
    @classmethod
    def lower(cls, v, info):
        if v is None or "price" not in info.data:
            return v
        assert v < info.data["price"], "discount must be below price"
        return v


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=30)
    password: str = Field(min_length=8)


async def handler(request: Request, exc: RequestValidationError):
    def field(e):
        loc = e["loc"]
        if e["type"] == "json_invalid" or loc == ("body",):
            return "body"
        return ".".join(map(str, loc[1:] if loc[0] == "body" else loc))

    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={
            "errors": [
                {"type": e["type"], "field": field(e), "message": e["msg"]} for e in exc.errors()
            ]
        },
    )


app.add_exception_handler(RequestValidationError, handler)


@app.post("/products", status_code=201)
def create_product(product: Product) -> Product:
    return product


@app.post("/users", status_code=201)
def create_user(user: UserCreate) -> dict[str, str]:
    return {"username": user.username}
