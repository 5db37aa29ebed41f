# WRONG: value is a plain float, so nan and inf are accepted and answered as {"value": null}.
from typing import Literal, get_args

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

Unit = Literal["km", "m", "mi"]

METRES_PER_UNIT: dict[str, float] = {"km": 1000.0, "m": 1.0, "mi": 1609.344}


class Conversion(BaseModel):
    value: float
    unit: Unit


router = APIRouter(prefix="/api/v1")


@router.get("/convert", response_model=Conversion)
def convert(value: float, from_unit: Unit, to_unit: Unit) -> Conversion:
    metres = value * METRES_PER_UNIT[from_unit]
    return Conversion(value=metres / METRES_PER_UNIT[to_unit], unit=to_unit)


@router.get("/units")
def units() -> list[Unit]:
    return list(get_args(Unit))


app = FastAPI(title="Unit conversion API", version="1.0.0")
app.include_router(router)
