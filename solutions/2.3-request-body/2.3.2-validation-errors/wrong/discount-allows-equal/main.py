# WRONG: compares with > instead of >=, so a discount equal to the price passes.
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationInfo, field_validator

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

    @field_validator("discount_price")
    @classmethod
    def discount_below_price(cls, value: float | None, info: ValidationInfo) -> float | None:
        price = info.data.get("price")  # absent when price itself failed validation
        if value is not None and price is not None and value > price:
            raise ValueError("discount_price must be lower than price")
        return value


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=30)
    password: str = Field(min_length=8)


def _field(error: dict) -> str:
    if error["type"] == "json_invalid":  # its loc is ("body", <character offset>)
        return "body"
    loc = list(error["loc"])
    if loc and loc[0] == "body":
        loc = loc[1:]
    return ".".join(str(part) for part in loc) or "body"


@app.exception_handler(RequestValidationError)
async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"field": _field(error), "message": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return JSONResponse(status_code=422, content={"errors": errors})


@app.post("/products", status_code=201)
def create_product(product: Product) -> Product:
    return product


@app.post("/users", status_code=201)
def create_user(user: UserCreate) -> dict[str, str]:
    return {"username": user.username}
