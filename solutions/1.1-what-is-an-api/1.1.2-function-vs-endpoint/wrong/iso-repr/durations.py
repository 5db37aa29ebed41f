# WRONG: the endpoint sends str(timedelta) ('1:30:00'), Python's repr, not ISO 8601.
"""One feature, two interfaces: a function you call in-process, and an HTTP endpoint."""

import re
from datetime import timedelta
from typing import Any, Protocol

import httpx
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

_DURATION = re.compile(r"(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?")


# --- Task 1: the function ---------------------------------------------------------------------


def parse_duration(text: str) -> timedelta:
    """Parse "1h30m", "45s", "2d4h"... (units d, h, m, s in that order, each at most once)."""
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        raise ValueError(f"invalid duration: {text!r}")
    days, hours, minutes, seconds = (int(group or 0) for group in match.groups())
    try:
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise ValueError(f"duration out of range: {text!r}") from None


# --- Task 2: the endpoint ---------------------------------------------------------------------


def to_iso8601(duration: timedelta) -> str:
    """The canonical ISO 8601 form: P2D, PT1H30M, P1DT2H3M4S, PT0S."""
    hours, rest = divmod(duration.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    date_part = f"{duration.days}D" if duration.days else ""
    time_part = "".join(
        f"{amount}{unit}"
        for amount, unit in ((hours, "H"), (minutes, "M"), (seconds, "S"))
        if amount
    )
    if not date_part and not time_part:
        return "PT0S"
    return f"P{date_part}" + (f"T{time_part}" if time_part else "")


class DurationIn(BaseModel):
    text: str


class DurationOut(BaseModel):
    seconds: int
    iso: str


app = FastAPI(title="Durations API")


@app.post("/durations/parse")
def parse_endpoint(body: DurationIn) -> DurationOut:
    try:
        duration = parse_duration(body.text)
    except ValueError:
        raise HTTPException(
            status_code=400, detail={"code": "invalid_duration", "input": body.text}
        ) from None
    return DurationOut(seconds=int(duration.total_seconds()), iso=str(duration))


# --- Tasks 3 and 4: the client ----------------------------------------------------------------


class DurationError(ValueError):
    """The service understood the request and rejected the text (400)."""


class ApiUnavailable(Exception):
    """The service could not answer: a 5xx status, or the request never got an answer."""


class _Response(Protocol):
    status_code: int

    def json(self) -> Any: ...


class _Client(Protocol):
    def post(self, url: str, *, json: Any) -> _Response: ...


def parse_via_api(client: _Client, text: str) -> timedelta:
    try:
        response = client.post("/durations/parse", json={"text": text})
    except httpx.TransportError as exc:
        raise ApiUnavailable(f"the durations service could not be reached: {exc}") from exc
    if response.status_code >= 500:
        raise ApiUnavailable(f"the durations service answered {response.status_code}")
    if response.status_code == 400:
        raise DurationError(f"invalid duration: {text!r}")
    if response.status_code != 200:
        raise ApiUnavailable(f"unexpected answer {response.status_code} from the service")
    return timedelta(seconds=response.json()["seconds"])
