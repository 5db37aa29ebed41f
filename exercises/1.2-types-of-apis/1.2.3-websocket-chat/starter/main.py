from typing import Annotated, Any  # noqa: F401

from fastapi import FastAPI, Query, WebSocket, WebSocketDisconnect  # noqa: F401

app = FastAPI()


class ConnectionManager:
    """The open connections of the chat, grouped by room."""

    def __init__(self) -> None:
        # TODO: Task 1 - somewhere to keep each room's connections
        pass

    def room_size(self, room: str) -> int:
        # TODO: Task 1 - how many connections are open in `room` (0 for an unknown room)
        return 0

    # TODO: Tasks 1-3 - methods to add a connection to a room, remove it, and send a JSON
    #       message to every connection of one room


manager = ConnectionManager()


# TODO: Task 1 - WS /ws/chat/{room}?name=<name>: reject a missing or empty name (close 1008),
#       accept, join the room and send {"type": "join", "name": name} to the whole room.

# TODO: Task 2 - relay every text frame as {"type": "message", "name": name, "text": text}
#       to everyone in the room, the sender included.

# TODO: Task 3 - on disconnect, remove the connection, then send {"type": "leave", "name": name}
#       to the others.
