# ALTERNATIVE: StrEnum, Query(...) default-value style, a hand-built JSONResponse
from enum import StrEnum

from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse

app = FastAPI()


class SortOrder(StrEnum):
    asc = "asc"
    desc = "desc"


@app.get("/search")
def search(
    q: str = Query(min_length=2, max_length=50),
    page: int = Query(1, ge=1),
    size: int = Query(10, ge=1, le=100),
    exact: bool = False,
    tags: list[str] = Query([]),
    sort: SortOrder = Query(),
):
    return JSONResponse(dict(q=q, page=page, size=size, exact=exact, tags=tags, sort=sort.value))
