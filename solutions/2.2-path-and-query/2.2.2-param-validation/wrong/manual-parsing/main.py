# WRONG: parses request.query_params by hand instead of declaring typed parameters.
from enum import Enum
from typing import Any

from fastapi import FastAPI, HTTPException, Request

app = FastAPI()


class SortOrder(str, Enum):
    asc = "asc"
    desc = "desc"


@app.get("/search")
def search(request: Request) -> dict[str, Any]:
    params = request.query_params
    q = params.get("q", "")
    if not 2 <= len(q) <= 50:
        raise HTTPException(status_code=422, detail="q must be 2 to 50 characters")
    page = int(params.get("page", 1))
    size = int(params.get("size", 10))
    if page < 1 or not 1 <= size <= 100:
        raise HTTPException(status_code=422, detail="page or size out of range")
    exact = params.get("exact", "false").lower() in ("true", "1", "yes", "on")
    tags = params.getlist("tags")
    sort = params.get("sort")
    if sort not in ("asc", "desc"):
        raise HTTPException(status_code=422, detail="sort must be asc or desc")
    return {"q": q, "page": page, "size": size, "exact": exact, "tags": tags, "sort": sort}
