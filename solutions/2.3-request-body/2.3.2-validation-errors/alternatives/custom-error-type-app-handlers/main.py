# ALTERNATIVE: PydanticCustomError for the discount, handler via exception_handlers=
from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError


def on_validation_error(request, exc: RequestValidationError):
    out = []
    for e in exc.errors():
        parts = [str(p) for p in e["loc"]]
        if e["type"] == "json_invalid":
            parts = []
        elif parts[:1] == ["body"]:
            del parts[0]
        out.append(
            {"field": ".".join(parts) if parts else "body", "message": e["msg"], "type": e["type"]}
        )
    return JSONResponse(jsonable_encoder({"errors": out}), status_code=422)


app = FastAPI(exception_handlers={RequestValidationError: on_validation_error})


class Dimensions(BaseModel):
    width: float = Field(gt=0)
    height: float = Field(gt=0)


class Product(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    discount_price: float | None = None
    dimensions: Dimensions | None = None
    tags: list[str] = Field(default_factory=list)

    @field_validator("discount_price", mode="after")
    @classmethod
    def check(cls, v, info: ValidationInfo):
        try:
            price = info.data["price"]
        except KeyError:
            return v
        if v is not None and not v < price:
            raise PydanticCustomError(
                "discount_too_high", "discount {d} not below price", {"d": "x"}
            )
        return v


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=30)
    password: str = Field(min_length=8)


@app.post("/products", status_code=201)
def create_product(product: Product) -> Product:
    return product


@app.post("/users", status_code=201)
def create_user(user: UserCreate) -> dict[str, str]:
    return {"username": user.username}
