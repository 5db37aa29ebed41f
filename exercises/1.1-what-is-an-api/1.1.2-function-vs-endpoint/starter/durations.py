"""One feature, two interfaces: a function you call in-process, and an HTTP endpoint."""

from datetime import timedelta

import httpx  # noqa: F401 - Task 4 catches httpx.TransportError
from fastapi import FastAPI


def parse_duration(text: str) -> timedelta:
    # TODO: Task 1 - parse "1h30m", "45s", "2d", "1d2h3m4s"... into a timedelta
    #       (units d, h, m, s in that order, each at most once); raise ValueError otherwise.
    raise NotImplementedError("parse_duration")


app = FastAPI(title="Durations API")


# TODO: Task 2 - POST /durations/parse with the body {"text": ...}:
#       200 {"seconds": <int>, "iso": "PT1H30M"}, or
#       400 {"detail": {"code": "invalid_duration", "input": <the text>}}


# TODO: Task 3 - class DurationError(ValueError): the service rejected the text (400)
# TODO: Task 4 - class ApiUnavailable(Exception): the service could not answer (5xx, network)


def parse_via_api(client, text: str) -> timedelta:
    # TODO: Task 3 - client.post("/durations/parse", json={"text": text}); use only
    #       .status_code and .json() of the answer; return a timedelta, raise DurationError on 400.
    # TODO: Task 4 - raise ApiUnavailable on a 5xx status or an httpx.TransportError.
    raise NotImplementedError("parse_via_api")
