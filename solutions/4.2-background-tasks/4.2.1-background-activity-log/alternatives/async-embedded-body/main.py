"""Async handlers, an embedded body field, and the log's own dicts as the answer."""

import datetime as dt
from typing import Annotated

from fastapi import BackgroundTasks, Body, FastAPI

app = FastAPI()

ACTIVITY_LOG: list[dict] = []


def get_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def log_activity(username: str, action: str) -> None:
    entry = {"username": username, "action": action}
    entry["at"] = get_clock()
    ACTIVITY_LOG.append(entry)


Username = Annotated[str, Body(embed=True, min_length=1, max_length=50)]


def schedule(tasks: BackgroundTasks, username: str, action: str) -> dict:
    tasks.add_task(log_activity, username=username, action=action)
    return {"username": username}


@app.post("/login")
async def login(username: Username, tasks: BackgroundTasks):
    return schedule(tasks, username, "login")


@app.post("/logout")
async def logout(username: Username, tasks: BackgroundTasks):
    return schedule(tasks, username, "logout")


@app.get("/activity/{username}")
async def activity(username: str):
    return list(filter(lambda entry: entry["username"] == username, ACTIVITY_LOG))
