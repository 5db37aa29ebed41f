import logging
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect  # noqa: F401

app = FastAPI()
logger = logging.getLogger(__name__)


class RoomManager:
    """The room's open connections."""

    def __init__(self) -> None:
        self.connections: list[WebSocket] = []

    def active_count(self) -> int:
        # TODO: Task 1 - how many connections are in the room
        return 0

    async def broadcast(self, message: dict[str, Any]) -> int:
        # TODO: Task 2 - send_json to every connection; a send that raises WebSocketDisconnect
        #       or RuntimeError means that connection is dead: remove it and go on. Return how
        #       many connections received the message.
        return 0


manager = RoomManager()


@app.websocket("/ws/room")
async def room(websocket: WebSocket) -> None:
    await websocket.accept()
    # TODO: Task 1 - add the connection to the room, and remove it however the handler ends
    #       (a close, an abrupt disconnect, a cancelled task); a disconnect is not an error.
    # TODO: Task 3 - {"type": "ping"} -> {"type": "pong"} to this client;
    #       {"type": "say", "text": ...} -> broadcast {"type": "message", "text": ...}.
    while True:
        await websocket.receive_json()
