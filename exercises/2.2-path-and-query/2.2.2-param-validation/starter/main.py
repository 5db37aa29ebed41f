from enum import Enum

from fastapi import FastAPI

app = FastAPI()


class SortOrder(str, Enum):
    # TODO: Task 3 - the two members, with the values "asc" and "desc"
    pass


@app.get("/search")
def search() -> dict:
    # TODO: Task 1 - declare q (2-50 chars, required), page (int >= 1, default 1) and
    #       size (int 1-100, default 10) as query parameters of this function
    # TODO: Task 2 - exact (bool, default False) and tags (list of str, default [])
    # TODO: Task 3 - sort: SortOrder, required
    # Echo every parsed value:
    # {"q": ..., "page": ..., "size": ..., "exact": ..., "tags": ..., "sort": ...}
    return {}
