# WRONG: builds short_url from a hard-coded host instead of the request's base URL.
"""A tiny Bitly: create short links, follow them, and count the clicks."""

import secrets
import string
from dataclasses import dataclass

from fastapi import FastAPI, HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, HttpUrl

ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 7


@dataclass
class Link:
    code: str
    url: str
    clicks: int = 0


_links: dict[str, Link] = {}


def reset_store() -> None:
    """Forget every link (the tests call it before each test)."""
    _links.clear()


def _new_code() -> str:
    # 62**7 codes: a clash is rare, but checking costs nothing and makes one impossible.
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if code not in _links:
            return code


def _get_link(code: str) -> Link:
    link = _links.get(code)
    if link is None:
        raise HTTPException(status_code=404, detail=f"no short link {code!r}")
    return link


class LinkCreate(BaseModel):
    url: HttpUrl


class LinkCreated(BaseModel):
    code: str
    url: str
    short_url: str


class LinkStats(BaseModel):
    code: str
    url: str
    clicks: int


app = FastAPI(title="Link shortener")


@app.post("/links", status_code=status.HTTP_201_CREATED)
def create_link(body: LinkCreate, request: Request, response: Response) -> LinkCreated:
    link = Link(code=_new_code(), url=str(body.url))
    _links[link.code] = link
    short_url = f"http://localhost:8000/{link.code}"
    response.headers["Location"] = short_url
    return LinkCreated(code=link.code, url=link.url, short_url=short_url)


@app.get("/links/{code}/stats")
def link_stats(code: str) -> LinkStats:
    link = _get_link(code)
    return LinkStats(code=link.code, url=link.url, clicks=link.clicks)


@app.get("/{code}", status_code=status.HTTP_307_TEMPORARY_REDIRECT)
def follow_link(code: str) -> RedirectResponse:
    link = _get_link(code)
    link.clicks += 1
    return RedirectResponse(link.url, status_code=status.HTTP_307_TEMPORARY_REDIRECT)
