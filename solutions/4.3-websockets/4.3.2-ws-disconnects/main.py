import logging
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
logger = logging.getLogger(__name__)


class RoomManager:
    """The room's open connections. Everything runs on one event loop: no lock needed."""

    def __init__(self) -> None:
        self.connections: list[WebSocket] = []

    def add(self, websocket: WebSocket) -> None:
        self.connections.append(websocket)

    def remove(self, websocket: WebSocket) -> None:
        # Safe to call twice: broadcast may have pruned this socket already.
        if websocket in self.connections:
            self.connections.remove(websocket)

    def active_count(self) -> int:
        return len(self.connections)

    async def broadcast(self, message: dict[str, Any]) -> int:
        delivered = 0
        # A copy: the list changes when a dead socket is pruned, or a client leaves mid-send.
        for websocket in list(self.connections):
            try:
                await websocket.send_json(message)
            except (WebSocketDisconnect, RuntimeError):
                # The client is gone (its transport failed, or the socket is already closed).
                self.remove(websocket)
            else:
                delivered += 1
        return delivered


manager = RoomManager()


@app.websocket("/ws/room")
async def room(websocket: WebSocket) -> None:
    await websocket.accept()
    manager.add(websocket)
    try:
        while True:
            data = await websocket.receive_json()
            kind = data.get("type") if isinstance(data, dict) else None
            if kind == "ping":
                await websocket.send_json({"type": "pong"})
            elif kind == "say":
                await manager.broadcast({"type": "message", "text": data.get("text")})
    except WebSocketDisconnect as exc:
        # Leaving is normal, abrupt or not: note it, don't report an error.
        logger.info("client left the room (code %s)", exc.code)
    finally:
        manager.remove(websocket)
