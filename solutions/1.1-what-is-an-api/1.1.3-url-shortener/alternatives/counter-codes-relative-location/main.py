# ALTERNATIVE: codes from a shuffled counter (never repeat), a relative Location, JSONResponse
import itertools
import string

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, HttpUrl

DIGITS = string.digits + string.ascii_uppercase + string.ascii_lowercase

urls: dict[str, str] = {}
clicks: dict[str, int] = {}
counter = itertools.count(1)


def reset_store():
    urls.clear()
    clicks.clear()


def encode(number: int) -> str:
    # A bijection on 0..62**6-1 (multiply by a number coprime with 62**6), then base 62.
    number = (number * 1_000_003) % 62**6
    out = ""
    for _ in range(6):
        number, digit = divmod(number, 62)
        out = DIGITS[digit] + out
    return out


class NewLink(BaseModel):
    url: HttpUrl


app = FastAPI()


@app.post("/links")
def shorten(link: NewLink, request: Request):
    code = encode(next(counter))
    urls[code] = str(link.url)
    clicks[code] = 0
    body = {"code": code, "url": urls[code], "short_url": f"{request.base_url}{code}"}
    return JSONResponse(body, status_code=201, headers={"Location": f"/{code}"})


def lookup(code: str) -> str:
    if code not in urls:
        raise HTTPException(404, "unknown code")
    return urls[code]


@app.get("/links/{code}/stats")
def stats(code: str):
    return {"code": code, "url": lookup(code), "clicks": clicks[code]}


@app.get("/{code}")
def follow(code: str):
    target = lookup(code)
    clicks[code] += 1
    return RedirectResponse(target, status_code=307)
