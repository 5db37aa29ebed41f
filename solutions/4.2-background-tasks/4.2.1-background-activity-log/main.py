"""An activity log written by background tasks, after the response has been sent."""

from datetime import UTC, datetime

from fastapi import BackgroundTasks, FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Activity log")

ACTIVITY_LOG: list[dict] = []


def get_clock() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def log_activity(username: str, action: str) -> None:
    # get_clock is looked up when the task runs, so the entry carries the time it was written.
    ACTIVITY_LOG.append({"username": username, "action": action, "at": get_clock()})


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=50)


class UserOut(BaseModel):
    username: str


class Entry(BaseModel):
    username: str
    action: str
    at: datetime


@app.post("/login")
def login(body: UserIn, background_tasks: BackgroundTasks) -> UserOut:
    background_tasks.add_task(log_activity, body.username, "login")
    return UserOut(username=body.username)


@app.post("/logout")
def logout(body: UserIn, background_tasks: BackgroundTasks) -> UserOut:
    background_tasks.add_task(log_activity, body.username, "logout")
    return UserOut(username=body.username)


@app.get("/activity/{username}")
def activity(username: str) -> list[Entry]:
    return [Entry(**entry) for entry in ACTIVITY_LOG if entry["username"] == username]
