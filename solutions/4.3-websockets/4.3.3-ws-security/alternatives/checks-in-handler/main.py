"""Another design: the handler checks the handshake itself and closes it (without accepting)
when a check fails; the rate limit keeps a plain list of arrival times."""

import html
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()

ALLOWED_ORIGINS = {"https://app.example.com", "https://admin.example.com"}
VALID_TOKENS = {"tok-ada-laptop": "ada", "tok-ada-phone": "ada", "tok-bob": "bob"}
MAX_MESSAGE_BYTES = 4096
MAX_MESSAGES_PER_SECOND = 10


def get_clock() -> Callable[[], float]:
    return time.monotonic


def user_of(websocket: WebSocket) -> str | None:
    """The user the handshake may connect as, or None."""
    if websocket.headers.get("origin") not in ALLOWED_ORIGINS:
        return None
    credentials = [
        value
        for value in (websocket.query_params.get("token"), websocket.cookies.get("session"))
        if value is not None
    ]
    if not credentials or any(value not in VALID_TOKENS for value in credentials):
        return None
    users = {VALID_TOKENS[value] for value in credentials}
    return users.pop() if len(users) == 1 else None


@app.websocket("/ws/secure")
async def secure(
    websocket: WebSocket, clock: Annotated[Callable[[], float], Depends(get_clock)]
) -> None:
    user = user_of(websocket)
    if user is None:
        # Closing before accept() rejects the handshake.
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    await websocket.accept()
    await websocket.send_json({"type": "welcome", "user": user})
    arrivals: list[float] = []
    try:
        while True:
            text = await websocket.receive_text()
            if len(text.encode()) > MAX_MESSAGE_BYTES:
                await websocket.close(code=status.WS_1009_MESSAGE_TOO_BIG)
                return
            now = clock()
            arrivals = [t for t in arrivals if now - t < 1] + [now]
            if len(arrivals) > MAX_MESSAGES_PER_SECOND:
                await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
                return
            await websocket.send_json({"type": "echo", "user": user, "text": html.escape(text)})
    except WebSocketDisconnect:
        pass
