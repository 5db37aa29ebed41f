"""Another design: a set of sockets, sends run concurrently with asyncio.gather, and the receive
loop written with `iter_json()`, which ends quietly when the client disconnects."""

import asyncio
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


class RoomManager:
    def __init__(self) -> None:
        self.sockets: set[WebSocket] = set()

    def active_count(self) -> int:
        return len(self.sockets)

    async def broadcast(self, message: dict[str, Any]) -> int:
        targets = list(self.sockets)
        results = await asyncio.gather(
            *(ws.send_json(message) for ws in targets), return_exceptions=True
        )
        delivered = 0
        for ws, result in zip(targets, results):
            if isinstance(result, (WebSocketDisconnect, RuntimeError)):
                self.sockets.discard(ws)
            elif isinstance(result, BaseException):
                raise result
            else:
                delivered += 1
        return delivered


manager = RoomManager()


@app.websocket("/ws/room")
async def room(websocket: WebSocket) -> None:
    await websocket.accept()
    manager.sockets.add(websocket)
    try:
        async for data in websocket.iter_json():
            if not isinstance(data, dict):
                continue
            if data.get("type") == "ping":
                await websocket.send_json({"type": "pong"})
            elif data.get("type") == "say":
                await manager.broadcast({"type": "message", "text": data.get("text")})
    finally:
        manager.sockets.discard(websocket)
