"""A tiny Bitly: create short links, follow them, and count the clicks."""

from fastapi import FastAPI

app = FastAPI(title="Link shortener")

# The links live in memory, e.g. a dict from code to the link's url and click count.


def reset_store() -> None:
    """Forget every link (the tests call it before each test)."""
    # TODO: Task 1 - empty your store


# TODO: Task 1 - POST /links {"url": <an http(s) URL>} answers 201
#       {"code": ..., "url": ..., "short_url": "<base URL>/<code>"} and a Location header


# TODO: Task 2 - GET /{code} redirects (307) to the link's url and counts a click


# TODO: Task 3 - GET /links/{code}/stats answers {"code": ..., "url": ..., "clicks": ...}
