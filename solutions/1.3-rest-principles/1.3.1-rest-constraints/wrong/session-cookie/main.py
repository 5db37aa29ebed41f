# WRONG: after one authorized write the server hands out a session cookie and trusts it.
import hashlib
import json
import re
import secrets
from itertools import count
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

API_TOKEN = "let-me-write"
CACHE_CONTROL = "max-age=60"

app = FastAPI(title="Articles: REST constraints in practice")


class ArticleIn(BaseModel):
    title: Annotated[str, Field(min_length=1)]
    body: str


class Link(BaseModel):
    href: str


class ArticleLinks(BaseModel):
    self_: Link = Field(serialization_alias="self")
    collection: Link


class ArticleOut(BaseModel):
    id: int
    title: str
    body: str
    # Pydantic treats names starting with "_" as private attributes: alias the field instead.
    links: ArticleLinks = Field(serialization_alias="_links")


_articles: dict[int, ArticleIn] = {}
_ids = count(1)

# Stateless: the token travels with every write and is checked every time; the server keeps
# no session and sets no cookie.
bearer = HTTPBearer(auto_error=False)
_sessions: set[str] = set()


def require_token(
    request: Request,
    response: Response,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    if request.cookies.get("session") in _sessions:
        return
    if credentials is None or not secrets.compare_digest(
        credentials.credentials.encode(), API_TOKEN.encode()
    ):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    session_id = secrets.token_hex(16)
    _sessions.add(session_id)
    response.set_cookie("session", session_id, httponly=True)


Writer = [Depends(require_token)]


def get_or_404(article_id: int) -> ArticleIn:
    article = _articles.get(article_id)
    if article is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"article {article_id} not found")
    return article


def represent(request: Request, article_id: int, article: ArticleIn) -> ArticleOut:
    links = ArticleLinks(
        self_=Link(href=str(request.url_for("read_article", article_id=article_id))),
        collection=Link(href=str(request.url_for("list_articles"))),
    )
    return ArticleOut(id=article_id, links=links, **article.model_dump())


def etag_of(article_id: int, article: ArticleIn) -> str:
    content = json.dumps({"id": article_id, **article.model_dump()}, sort_keys=True)
    return '"' + hashlib.sha256(content.encode()).hexdigest()[:32] + '"'


def opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2) of the current ETag with an If-None-Match list."""
    if if_none_match.strip() == "*":
        return True
    return opaque(etag) in {opaque(tag) for tag in re.findall(r'(?:W/)?"[^"]*"', if_none_match)}


@app.get("/articles", response_model=list[ArticleOut])
def list_articles(request: Request) -> list[ArticleOut]:
    return [represent(request, article_id, a) for article_id, a in _articles.items()]


@app.post(
    "/articles",
    response_model=ArticleOut,
    status_code=status.HTTP_201_CREATED,
    dependencies=Writer,
)
def create_article(article: ArticleIn, request: Request, response: Response) -> ArticleOut:
    article_id = next(_ids)
    _articles[article_id] = article
    out = represent(request, article_id, article)
    response.headers["Location"] = out.links.self_.href
    return out


@app.get("/articles/{article_id}", response_model=ArticleOut)
def read_article(
    article_id: int,
    request: Request,
    response: Response,
    if_none_match: Annotated[str | None, Header()] = None,
):
    article = get_or_404(article_id)
    etag = etag_of(article_id, article)
    cache_headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if if_none_match is not None and matches(if_none_match, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=cache_headers)
    response.headers.update(cache_headers)
    return represent(request, article_id, article)


@app.put("/articles/{article_id}", response_model=ArticleOut, dependencies=Writer)
def replace_article(article_id: int, article: ArticleIn, request: Request) -> ArticleOut:
    get_or_404(article_id)
    _articles[article_id] = article
    return represent(request, article_id, article)


@app.delete("/articles/{article_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=Writer)
def delete_article(article_id: int) -> None:
    get_or_404(article_id)
    del _articles[article_id]
