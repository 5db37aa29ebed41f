# WRONG: serves /convert and /units without the /api/v1 version prefix.
from typing import Annotated, Literal, get_args

from fastapi import FastAPI, Query
from pydantic import BaseModel

Unit = Literal["km", "m", "mi"]

METRES_PER_UNIT: dict[str, float] = {"km": 1000.0, "m": 1.0, "mi": 1609.344}


class Conversion(BaseModel):
    value: float
    unit: Unit


app = FastAPI(title="Unit conversion API", version="1.0.0")


@app.get("/convert", response_model=Conversion)
def convert(
    value: Annotated[float, Query(allow_inf_nan=False)],
    from_unit: Unit,
    to_unit: Unit,
) -> Conversion:
    metres = value * METRES_PER_UNIT[from_unit]
    return Conversion(value=metres / METRES_PER_UNIT[to_unit], unit=to_unit)


@app.get("/units")
def units() -> list[Unit]:
    return list(get_args(Unit))
