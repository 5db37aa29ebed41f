import html  # noqa: F401
import time
from collections.abc import Callable
from typing import Annotated  # noqa: F401

from fastapi import (  # noqa: F401
    Cookie,
    Depends,
    FastAPI,
    Header,
    Query,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    status,
)

app = FastAPI()

# The pages allowed to open the socket: CORS does not apply to WebSockets, this check does.
ALLOWED_ORIGINS = {"https://app.example.com", "https://admin.example.com"}
# token -> the user it belongs to (a user may have several tokens)
VALID_TOKENS = {"tok-ada-laptop": "ada", "tok-ada-phone": "ada", "tok-bob": "bob"}
MAX_MESSAGE_BYTES = 4096
MAX_MESSAGES_PER_SECOND = 10


def get_clock() -> Callable[[], float]:
    """The clock the rate limit reads, in seconds: take it with Depends(get_clock)."""
    return time.monotonic


@app.websocket("/ws/secure")
async def secure(websocket: WebSocket) -> None:
    # TODO: Task 1 - before accepting: the Origin header must be in ALLOWED_ORIGINS, and the
    #       credentials (?token= and/or the `session` cookie) must be valid tokens of one user.
    #       Otherwise refuse with close code 1008 (and never accept).
    await websocket.accept()
    # TODO: Task 2 - send {"type": "welcome", "user": ...}; echo every text frame as
    #       {"type": "echo", "user": ..., "text": html.escape(text)}.
    # TODO: Task 3 - over 4096 bytes -> close 1009; more than 10 messages in one second
    #       (by the clock from get_clock) -> close 1008.
    while True:
        text = await websocket.receive_text()
        await websocket.send_json({"type": "echo", "text": text})
