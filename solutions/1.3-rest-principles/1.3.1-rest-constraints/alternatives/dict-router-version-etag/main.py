# ALTERNATIVE: dicts on an APIRouter, auth dependency, weak ETag from a version counter
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

API_TOKEN = "let-me-write"
app = FastAPI()
router = APIRouter(prefix="/articles")


class ArticleIn(BaseModel):
    title: str
    body: str


STORE: dict[int, dict] = {}
NEXT = [0]


def auth(authorization: Annotated[str | None, Header()] = None):
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or token != API_TOKEN:
        raise HTTPException(401, "unauthorized", headers={"WWW-Authenticate": 'Bearer realm="x"'})


def rep(i):
    a = STORE[i]
    return {
        "id": i,
        "title": a["title"],
        "body": a["body"],
        "_links": {"self": {"href": f"/articles/{i}"}, "collection": {"href": "/articles"}},
    }


def find(i):
    if i not in STORE:
        raise HTTPException(404)
    return STORE[i]


@router.get("")
def all_articles():
    return [rep(i) for i in STORE]


@router.post("", dependencies=[Depends(auth)])
def post(a: ArticleIn):
    NEXT[0] += 1
    STORE[NEXT[0]] = {**a.model_dump(), "version": 1}
    return JSONResponse(rep(NEXT[0]), status_code=201, headers={"Location": f"/articles/{NEXT[0]}"})


@router.get("/{i}")
def one(i: int, if_none_match: Annotated[str | None, Header()] = None):
    a = find(i)
    etag = f'W/"{i}-{a["version"]}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60"}
    if if_none_match and etag.removeprefix("W/") in [
        t.strip().removeprefix("W/") for t in if_none_match.split(",")
    ]:
        return Response(status_code=304, headers=headers)
    return JSONResponse(rep(i), headers=headers)


@router.put("/{i}", dependencies=[Depends(auth)])
def put(i: int, a: ArticleIn):
    old = find(i)
    STORE[i] = {**a.model_dump(), "version": old["version"] + 1}
    return rep(i)


@router.delete("/{i}", dependencies=[Depends(auth)])
def delete(i: int):
    find(i)
    del STORE[i]
    return Response(status_code=204)


app.include_router(router)
