# WRONG: size has a lower bound but no upper bound (le=100 is missing).
from enum import Enum
from typing import Annotated, Any

from fastapi import FastAPI, Query

app = FastAPI()


class SortOrder(str, Enum):
    asc = "asc"
    desc = "desc"


@app.get("/search")
def search(
    q: Annotated[str, Query(min_length=2, max_length=50)],
    sort: SortOrder,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1)] = 10,
    exact: bool = False,
    tags: Annotated[list[str], Query()] = [],
) -> dict[str, Any]:
    return {"q": q, "page": page, "size": size, "exact": exact, "tags": tags, "sort": sort}
