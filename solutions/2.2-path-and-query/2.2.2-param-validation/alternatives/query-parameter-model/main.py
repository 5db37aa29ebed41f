# ALTERNATIVE: all six parameters in one query model that is also the response model
from enum import Enum
from typing import Annotated

from fastapi import FastAPI, Query
from pydantic import BaseModel, Field

app = FastAPI()


class SortOrder(str, Enum):
    asc = "asc"
    desc = "desc"


class SearchParams(BaseModel):
    q: str = Field(min_length=2, max_length=50)
    page: int = Field(1, ge=1)
    size: int = Field(10, ge=1, le=100)
    exact: bool = False
    tags: list[str] = []
    sort: SortOrder


@app.get("/search")
async def search(params: Annotated[SearchParams, Query()]) -> SearchParams:
    return params
