# ALTERNATIVE: a queue and a writer task per connection; broadcasting only enqueues
import asyncio
import contextlib

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()


class Client:
    def __init__(self, ws: WebSocket, name: str):
        self.ws, self.name = ws, name
        self.outbox: asyncio.Queue = asyncio.Queue()

    async def writer(self):
        while True:
            message = await self.outbox.get()
            await self.ws.send_json(message)


class Manager:
    def __init__(self):
        self.rooms: dict[str, list[Client]] = {}

    def room_size(self, room):
        return len(self.rooms.get(room, []))

    def publish(self, room, message):
        for c in self.rooms.get(room, []):
            c.outbox.put_nowait(message)


manager = Manager()


@app.websocket("/ws/chat/{room}")
async def chat(websocket: WebSocket, room: str, name: str | None = None):
    if not name:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    await websocket.accept()
    me = Client(websocket, name)
    writer = asyncio.create_task(me.writer())
    manager.rooms.setdefault(room, []).append(me)
    manager.publish(room, {"type": "join", "name": name, "room": room})
    try:
        while True:
            manager.publish(
                room, {"type": "message", "name": name, "text": await websocket.receive_text()}
            )
    except WebSocketDisconnect:
        manager.rooms[room].remove(me)
        if not manager.rooms[room]:
            del manager.rooms[room]
        manager.publish(room, {"type": "leave", "name": name})
    finally:
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
