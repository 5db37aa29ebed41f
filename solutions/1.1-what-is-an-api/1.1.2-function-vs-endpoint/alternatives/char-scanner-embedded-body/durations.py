# ALTERNATIVE: hand-written char scanner, Body(embed=True), the 400 as a JSONResponse
from datetime import timedelta
from typing import Annotated

import httpx
from fastapi import Body, FastAPI
from fastapi.responses import JSONResponse

UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
ORDER = "dhms"


def parse_duration(text: str) -> timedelta:
    if not isinstance(text, str) or not text:
        raise ValueError("empty duration")
    total = 0
    last = -1
    digits = ""
    for ch in text:
        if ch in "0123456789":
            digits += ch
        elif ch in UNITS:
            pos = ORDER.index(ch)
            if not digits or pos <= last:
                raise ValueError(f"bad duration {text!r}")
            total += int(digits) * UNITS[ch]
            last = pos
            digits = ""
        else:
            raise ValueError(f"bad character {ch!r}")
    if digits:
        raise ValueError("number without unit")
    if total > timedelta.max.total_seconds():
        raise ValueError("too large")
    return timedelta(seconds=total)


def iso(seconds: int) -> str:
    d, rem = divmod(seconds, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    out = "P" + (f"{d}D" if d else "")
    t = "".join(f"{v}{u}" for v, u in ((h, "H"), (m, "M"), (s, "S")) if v)
    if t:
        out += "T" + t
    return out if out != "P" else "PT0S"


app = FastAPI()


@app.post("/durations/parse")
async def parse(text: Annotated[str, Body(embed=True)]):
    try:
        seconds = int(parse_duration(text) // timedelta(seconds=1))
    except ValueError:
        return JSONResponse(
            status_code=400, content={"detail": {"code": "invalid_duration", "input": text}}
        )
    return {"seconds": seconds, "iso": iso(seconds)}


class DurationError(ValueError):
    pass


class ApiUnavailable(ConnectionError):
    pass


def parse_via_api(client, text):
    try:
        r = client.post("/durations/parse", json={"text": text})
    except httpx.HTTPError as e:
        raise ApiUnavailable(str(e)) from e
    if r.status_code == 200:
        return timedelta(seconds=r.json()["seconds"])
    if r.status_code == 400:
        raise DurationError(text)
    raise ApiUnavailable(r.status_code)
