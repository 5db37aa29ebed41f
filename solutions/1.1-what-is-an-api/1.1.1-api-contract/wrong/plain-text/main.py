# WRONG: answers the converted number as text/plain instead of a JSON Conversion object.
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

Unit = Literal["km", "m", "mi"]

METRES_PER_UNIT: dict[str, float] = {"km": 1000.0, "m": 1.0, "mi": 1609.344}


class Conversion(BaseModel):
    value: float
    unit: Unit


router = APIRouter(prefix="/api/v1")


@router.get("/convert", response_model=Conversion, response_class=PlainTextResponse)
def convert(
    value: Annotated[float, Query(allow_inf_nan=False)],
    from_unit: Unit,
    to_unit: Unit,
):
    metres = value * METRES_PER_UNIT[from_unit]
    return PlainTextResponse(str(metres / METRES_PER_UNIT[to_unit]))


@router.get("/units")
def units() -> list[Unit]:
    return list(get_args(Unit))


app = FastAPI(title="Unit conversion API", version="1.0.0")
app.include_router(router)
