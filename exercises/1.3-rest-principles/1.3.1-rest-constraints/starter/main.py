from itertools import count
from typing import Annotated

from fastapi import FastAPI
from pydantic import BaseModel, Field

API_TOKEN = "let-me-write"

app = FastAPI(title="Articles: REST constraints in practice")


class ArticleIn(BaseModel):
    title: Annotated[str, Field(min_length=1)]
    body: str


# The store: article id -> ArticleIn. Ids come from next(_ids).
_articles: dict[int, ArticleIn] = {}
_ids = count(1)


# TODO: Task 1 - GET /articles, POST /articles (201 + Location), GET /articles/{id},
#       PUT /articles/{id} (200) and DELETE /articles/{id} (204); 404 for unknown ids.


# TODO: Task 2 - a response model whose JSON has "_links": {"self": {"href": ...},
#       "collection": {"href": ...}} (hint: Field(serialization_alias="_links")).


# TODO: Task 3 - a dependency that checks "Authorization: Bearer <API_TOKEN>" on every write
#       (fastapi.security.HTTPBearer), 401 + WWW-Authenticate: Bearer otherwise. No cookies.


# TODO: Task 4 - GET /articles/{id} sends ETag and Cache-Control: max-age=60, and answers
#       304 with an empty body when If-None-Match matches the current ETag.
