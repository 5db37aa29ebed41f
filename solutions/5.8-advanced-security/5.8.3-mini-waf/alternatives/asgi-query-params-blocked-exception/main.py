"""A small app behind the WAF: a search, a file lookup, JSON comments and a contact form."""

from typing import Annotated

from fastapi import FastAPI, Form, status
from pydantic import BaseModel
from waf import WAFMiddleware

app = FastAPI()
app.add_middleware(WAFMiddleware)  # mode="block"; mode="monitor" only logs the rule matches

COMMENTS: list[dict] = []


class Comment(BaseModel):
    author: str
    text: str


@app.get("/search")
def search(q: str = "") -> dict:
    return {"q": q, "results": []}


@app.get("/files/{name:path}")
def read_file(name: str) -> dict:
    return {"name": name}


@app.post("/comments", status_code=status.HTTP_201_CREATED)
def add_comment(comment: Comment) -> dict:
    stored = {"id": len(COMMENTS) + 1, **comment.model_dump()}
    COMMENTS.append(stored)
    return stored


@app.post("/contact")
def contact(name: Annotated[str, Form()], message: Annotated[str, Form()]) -> dict:
    return {"name": name, "message": message}
