# WRONG: units typed as plain str and looked up with a default, so unknown units are accepted.
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel

METRES_PER_UNIT: dict[str, float] = {"km": 1000.0, "m": 1.0, "mi": 1609.344}


class Conversion(BaseModel):
    value: float
    unit: str


router = APIRouter(prefix="/api/v1")


@router.get("/convert", response_model=Conversion)
def convert(
    value: Annotated[float, Query(allow_inf_nan=False)],
    from_unit: str,
    to_unit: str,
) -> Conversion:
    metres = value * METRES_PER_UNIT.get(from_unit, 1.0)
    return Conversion(value=metres / METRES_PER_UNIT.get(to_unit, 1.0), unit=to_unit)


@router.get("/units")
def units() -> list[Literal["km", "m", "mi"]]:
    return list(METRES_PER_UNIT)


app = FastAPI(title="Unit conversion API", version="1.0.0")
app.include_router(router)
