# ALTERNATIVE: a resource class holding store and handlers, routes via add_api_route
from typing import Annotated

from fastapi import APIRouter, Body, FastAPI, HTTPException, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel


class _Resource:
    def __init__(self, name, create_model, read_model):
        self.name, self.read_model = name, read_model
        self.rows: dict[int, dict] = {}
        self.last_id = 0

        def create(data: Annotated[create_model, Body()]):
            self.last_id += 1
            self.rows[self.last_id] = data.model_dump()
            return JSONResponse(
                self.out(self.last_id),
                status_code=201,
                headers={"location": f"/{name}/{self.last_id}"},
            )

        def replace(item_id: int, data: Annotated[create_model, Body()]):
            self.need(item_id)
            self.rows[item_id] = data.model_dump()
            return self.out(item_id)

        self.create, self.replace = create, replace

    def out(self, item_id):
        return self.read_model(id=item_id, **self.rows[item_id]).model_dump(mode="json")

    def need(self, item_id):
        if item_id not in self.rows:
            raise HTTPException(404, f"{self.name} {item_id} not found")

    def listing(
        self, response: Response, limit: int = Query(10, ge=1, le=100), offset: int = Query(0, ge=0)
    ):
        response.headers["x-total-count"] = f"{len(self.rows)}"
        return [self.out(i) for i in sorted(self.rows)[offset : offset + limit]]

    def read(self, item_id: int):
        self.need(item_id)
        return self.out(item_id)

    def delete(self, item_id: int):
        self.need(item_id)
        self.rows.pop(item_id)
        return Response(status_code=204)


def make_crud_router(name: str, create_model: type[BaseModel], read_model: type[BaseModel]):
    r = _Resource(name, create_model, read_model)
    router = APIRouter(tags=[name])
    router.add_api_route(
        f"/{name}",
        r.create,
        methods=["POST"],
        status_code=201,
        response_model=read_model,
        name=f"create_{name}",
    )
    router.add_api_route(
        f"/{name}", r.listing, methods=["GET"], response_model=list[read_model], name=f"list_{name}"
    )
    router.add_api_route(
        f"/{name}/{{item_id}}",
        r.read,
        methods=["GET"],
        response_model=read_model,
        name=f"read_{name}",
    )
    router.add_api_route(
        f"/{name}/{{item_id}}",
        r.replace,
        methods=["PUT"],
        response_model=read_model,
        name=f"replace_{name}",
    )
    router.add_api_route(
        f"/{name}/{{item_id}}", r.delete, methods=["DELETE"], status_code=204, name=f"delete_{name}"
    )
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


app = FastAPI()
for args in (("books", BookCreate, BookRead), ("movies", MovieCreate, MovieRead)):
    app.include_router(make_crud_router(*args))
