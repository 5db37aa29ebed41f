from datetime import UTC, datetime
from typing import Annotated, Any  # noqa: F401

from fastapi import Depends, FastAPI, WebSocket, WebSocketDisconnect, status  # noqa: F401
from pydantic import BaseModel  # noqa: F401

app = FastAPI()


def get_now() -> datetime:
    """The current time, timezone-aware UTC: POST /notify takes `ts` from it."""
    return datetime.now(UTC)


class ConnectionManager:
    """The open notification connections, by user."""

    def __init__(self) -> None:
        # TODO: Task 1 - somewhere to keep each user's connections (a user may have several)
        pass

    async def send_to_user(self, user_id: int, message: dict[str, Any]) -> int:
        # TODO: Task 2 - send `message` (send_json) to every connection of `user_id`, and to
        #       nobody else; return how many connections it was sent to.
        return 0


manager = ConnectionManager()


# TODO: Task 1 - WS /ws/notifications/{user_id} (an int): accept, register the connection,
#       read and ignore what the client sends, and remove this connection when it goes away.

# TODO: Task 3 - POST /notify/{user_id} {"title", "body"}: build
#       {"type": "notification", "title", "body", "ts": <get_now() through Depends, isoformat>},
#       send it with manager.send_to_user and answer 202 {"delivered": <count>}.
