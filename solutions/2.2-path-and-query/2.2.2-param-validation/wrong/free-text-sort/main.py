# WRONG: sort is a plain str with a default, so it is optional and any value is accepted.
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
    sort: str = "asc",
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 10,
    exact: bool = False,
    tags: Annotated[list[str], Query()] = [],
) -> dict[str, Any]:
    return {"q": q, "page": page, "size": size, "exact": exact, "tags": tags, "sort": sort}
