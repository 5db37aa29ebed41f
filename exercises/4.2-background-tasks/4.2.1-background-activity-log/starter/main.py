"""An activity log written by background tasks, after the response has been sent."""

from datetime import UTC, datetime

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Activity log")

ACTIVITY_LOG: list[dict] = []


def get_clock() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def log_activity(username: str, action: str) -> None:
    # TODO (Task 1): append {"username", "action", "at"} to ACTIVITY_LOG, "at" from get_clock().
    pass


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=50)


@app.post("/login")
def login(body: UserIn) -> dict:
    # TODO (Task 2): log the login in the background, after the response.
    return {"username": body.username}


# TODO (Task 2): POST /logout
# TODO (Task 3): GET /activity/{username}
