# WRONG: the collection lives at /books/, so POST /books answers a 307 redirect.
from itertools import count
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Query, Response, status
from pydantic import BaseModel


def make_crud_router(
    name: str, create_model: type[BaseModel], read_model: type[BaseModel]
) -> APIRouter:
    """The same five operations, status codes and headers for any resource called `name`."""
    router = APIRouter(prefix=f"/{name}", tags=[name])
    store: dict[int, BaseModel] = {}  # one store per router: nothing is shared between calls
    ids = count(1)

    def get_or_404(item_id: int) -> BaseModel:
        try:
            return store[item_id]
        except KeyError:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, detail=f"{name} {item_id} not found"
            ) from None

    @router.post("/", response_model=read_model, status_code=status.HTTP_201_CREATED)
    def create(item: create_model, response: Response):  # type: ignore[valid-type]
        item_id = next(ids)
        store[item_id] = read_model(id=item_id, **item.model_dump())
        response.headers["Location"] = f"/{name}/{item_id}"
        return store[item_id]

    @router.get("/", response_model=list[read_model])
    def list_items(
        response: Response,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        offset: Annotated[int, Query(ge=0)] = 0,
    ):
        response.headers["X-Total-Count"] = str(len(store))
        return list(store.values())[offset : offset + limit]

    @router.get("/{item_id}", response_model=read_model)
    def read(item_id: int):
        return get_or_404(item_id)

    @router.put("/{item_id}", response_model=read_model)
    def replace(item_id: int, item: create_model):  # type: ignore[valid-type]
        get_or_404(item_id)
        store[item_id] = read_model(id=item_id, **item.model_dump())
        return store[item_id]

    @router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
    def delete(item_id: int) -> None:
        get_or_404(item_id)
        del store[item_id]

    return router


class BookCreate(BaseModel):
    title: str
    author: str


class BookRead(BookCreate):
    id: int


class MovieCreate(BaseModel):
    title: str
    year: int


class MovieRead(MovieCreate):
    id: int


app = FastAPI(title="One router factory, many resources")
app.include_router(make_crud_router("books", BookCreate, BookRead))
app.include_router(make_crud_router("movies", MovieCreate, MovieRead))
