from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, WebSocket, WebSocketDisconnect, status
from pydantic import BaseModel

app = FastAPI()


def get_now() -> datetime:
    """The current time, timezone-aware UTC (the tests override this dependency)."""
    return datetime.now(UTC)


class ConnectionManager:
    """Every open notification socket, grouped by user. One event loop: no lock needed."""

    def __init__(self) -> None:
        self.connections: dict[int, list[WebSocket]] = {}

    async def connect(self, user_id: int, websocket: WebSocket) -> None:
        await websocket.accept()
        self.connections.setdefault(user_id, []).append(websocket)

    def disconnect(self, user_id: int, websocket: WebSocket) -> None:
        sockets = self.connections.get(user_id, [])
        if websocket in sockets:
            sockets.remove(websocket)
        if not sockets:
            self.connections.pop(user_id, None)

    async def send_to_user(self, user_id: int, message: dict[str, Any]) -> int:
        delivered = 0
        # A copy: a socket may leave while a send is awaited.
        for websocket in list(self.connections.get(user_id, [])):
            try:
                await websocket.send_json(message)
            except (WebSocketDisconnect, RuntimeError):
                self.disconnect(user_id, websocket)  # that connection is gone
            else:
                delivered += 1
        return delivered


manager = ConnectionManager()


@app.websocket("/ws/notifications/{user_id}")
async def notifications(websocket: WebSocket, user_id: int) -> None:
    await manager.connect(user_id, websocket)
    try:
        while True:
            # What the client says is ignored; reading is how a disconnect shows up.
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
    finally:
        manager.disconnect(user_id, websocket)


class Notification(BaseModel):
    title: str
    body: str


@app.post("/notify/{user_id}", status_code=status.HTTP_202_ACCEPTED)
async def notify(
    user_id: int, notification: Notification, now: Annotated[datetime, Depends(get_now)]
) -> dict[str, int]:
    message = {
        "type": "notification",
        "title": notification.title,
        "body": notification.body,
        "ts": now.isoformat(),
    }
    return {"delivered": await manager.send_to_user(user_id, message)}
