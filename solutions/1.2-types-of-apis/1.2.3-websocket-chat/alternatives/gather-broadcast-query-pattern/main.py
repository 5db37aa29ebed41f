# ALTERNATIVE: asyncio.gather broadcast, iter_text loop, FastAPI's own 1008 for the name
import asyncio
from typing import Annotated

from fastapi import FastAPI, Query, WebSocket

app = FastAPI()


class ChatRooms:
    def __init__(self):
        self._rooms: dict[str, dict[WebSocket, str]] = {}

    async def join(self, room, ws, name):
        await ws.accept()
        self._rooms.setdefault(room, {})[ws] = name
        await self.say(room, {"type": "join", "name": name})

    async def leave(self, room, ws):
        name = self._rooms[room].pop(ws)
        await self.say(room, {"type": "leave", "name": name})

    async def say(self, room, payload):
        await asyncio.gather(
            *(ws.send_json(payload) for ws in list(self._rooms.get(room, {}))),
            return_exceptions=True,
        )

    def room_size(self, room: str) -> int:
        return len(self._rooms.get(room) or {})


manager = ChatRooms()


@app.websocket("/ws/chat/{room}")
async def chat(ws: WebSocket, room: str, name: Annotated[str, Query(pattern=r"\S")]):
    await manager.join(room, ws, name)
    try:
        async for text in ws.iter_text():
            await manager.say(room, {"type": "message", "name": name, "text": text})
    finally:
        await manager.leave(room, ws)
