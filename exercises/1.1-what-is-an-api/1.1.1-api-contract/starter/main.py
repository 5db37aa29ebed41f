from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Unit conversion API", version="1.0.0")

# 1 km = 1000 m, 1 mi = 1609.344 m (exactly).


# TODO: Task 1 - the response model: value (a float) and unit (the target unit)
class Conversion(BaseModel):
    pass


# TODO: Task 1 - GET /api/v1/convert?value=...&from_unit=...&to_unit=...
#       answers a Conversion (declare it with response_model=Conversion or -> Conversion)


# TODO: Task 2 - type the units as Literal["km", "m", "mi"] and the value as a finite float,
#       so that FastAPI answers 422 for anything outside the contract


# TODO: Task 3 - GET /api/v1/units answers ["km", "m", "mi"]
