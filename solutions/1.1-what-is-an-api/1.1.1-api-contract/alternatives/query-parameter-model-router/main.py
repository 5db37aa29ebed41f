# ALTERNATIVE: one Pydantic query-parameter model (extra=forbid) on a versioned APIRouter
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field

Unit = Literal["km", "m", "mi"]
TO_M = {"km": 1000, "m": 1, "mi": 1609.344}


class ConvertQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: float = Field(allow_inf_nan=False)
    from_unit: Unit
    to_unit: Unit


class Conversion(BaseModel):
    value: float
    unit: Unit


v1 = APIRouter(prefix="/api/v1", tags=["v1"])


@v1.get("/convert", response_model=Conversion)
def convert(q: Annotated[ConvertQuery, Query()]):
    return {"value": q.value * TO_M[q.from_unit] / TO_M[q.to_unit], "unit": q.to_unit}


@v1.get("/units", response_model=list[Unit])
def units():
    return list(TO_M)


app = FastAPI()
app.include_router(v1)
