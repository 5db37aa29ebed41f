# WRONG: a disconnect is not handled: the socket stays in its room and no leave is sent.
from collections import defaultdict
from typing import Annotated, Any

from fastapi import FastAPI, Query, WebSocket

app = FastAPI()


class ConnectionManager:
    """The open connections, grouped by room. Everything runs on one event loop: no lock needed."""

    def __init__(self) -> None:
        self.rooms: defaultdict[str, set[WebSocket]] = defaultdict(set)

    async def connect(self, room: str, websocket: WebSocket) -> None:
        await websocket.accept()
        self.rooms[room].add(websocket)

    def disconnect(self, room: str, websocket: WebSocket) -> None:
        members = self.rooms.get(room)
        if members is None:
            return
        members.discard(websocket)
        if not members:
            del self.rooms[room]

    def room_size(self, room: str) -> int:
        return len(self.rooms.get(room, ()))

    async def broadcast(self, room: str, message: dict[str, Any]) -> None:
        # A copy: the set may change while a send is awaited.
        for websocket in list(self.rooms.get(room, ())):
            await websocket.send_json(message)


manager = ConnectionManager()


@app.websocket("/ws/chat/{room}")
async def chat(websocket: WebSocket, room: str, name: Annotated[str, Query(min_length=1)]) -> None:
    # A missing or empty name fails validation before this body runs: FastAPI closes the
    # handshake with 1008 (policy violation) without accepting it.
    await manager.connect(room, websocket)
    await manager.broadcast(room, {"type": "join", "name": name})
    while True:
        text = await websocket.receive_text()
        await manager.broadcast(room, {"type": "message", "name": name, "text": text})
