# WRONG: tags is one comma-separated string split by hand, not a repeated list parameter.
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
    size: Annotated[int, Query(ge=1, le=100)] = 10,
    exact: bool = False,
    tags: str = "",
) -> dict[str, Any]:
    tag_list = [tag.strip() for tag in tags.split(",") if tag.strip()]
    return {"q": q, "page": page, "size": size, "exact": exact, "tags": tag_list, "sort": sort}
