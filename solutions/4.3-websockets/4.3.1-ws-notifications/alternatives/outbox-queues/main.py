"""Another design: every connection has its own outbox queue and a writer task.

send_to_user only puts the message into the outboxes of the user's connections and returns at
once; each connection's writer sends at its own pace, so one slow client cannot hold up the
caller or the other clients."""

import asyncio
from collections import defaultdict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, WebSocket, WebSocketDisconnect
from pydantic import BaseModel

app = FastAPI()


def get_now() -> datetime:
    return datetime.now(UTC)


class ConnectionManager:
    def __init__(self) -> None:
        self.outboxes: defaultdict[int, dict[WebSocket, asyncio.Queue]] = defaultdict(dict)

    def register(self, user_id: int, websocket: WebSocket) -> asyncio.Queue:
        outbox: asyncio.Queue = asyncio.Queue()
        self.outboxes[user_id][websocket] = outbox
        return outbox

    def unregister(self, user_id: int, websocket: WebSocket) -> None:
        self.outboxes[user_id].pop(websocket, None)
        if not self.outboxes[user_id]:
            del self.outboxes[user_id]

    async def send_to_user(self, user_id: int, message: dict[str, Any]) -> int:
        outboxes = list(self.outboxes.get(user_id, {}).values())
        for outbox in outboxes:
            outbox.put_nowait(message)
        return len(outboxes)


manager = ConnectionManager()


async def write(websocket: WebSocket, outbox: asyncio.Queue) -> None:
    while True:
        await websocket.send_json(await outbox.get())


@app.websocket("/ws/notifications/{user_id}")
async def notifications(websocket: WebSocket, user_id: int) -> None:
    await websocket.accept()
    writer = asyncio.create_task(write(websocket, manager.register(user_id, websocket)))
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        pass
    finally:
        manager.unregister(user_id, websocket)
        writer.cancel()


class Notification(BaseModel):
    title: str
    body: str


@app.post("/notify/{user_id}", status_code=202)
async def notify(
    user_id: int, notification: Notification, now: Annotated[datetime, Depends(get_now)]
):
    message = {"type": "notification", **notification.model_dump(), "ts": now.isoformat()}
    return {"delivered": await manager.send_to_user(user_id, message)}
