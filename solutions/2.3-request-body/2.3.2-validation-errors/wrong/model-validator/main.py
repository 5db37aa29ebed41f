# WRONG: checks the discount in a model_validator, so the error is located at the whole body.
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator

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

    @model_validator(mode="after")
    def discount_below_price(self) -> "Product":
        if self.discount_price is not None and self.discount_price >= self.price:
            raise ValueError("discount_price must be lower than price")
        return self


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
