"""Another design: a dependency that closes a refused handshake itself (the handler then returns
without accepting), and a rate limit that keeps only the last ten arrival times: a message is
refused when the tenth one before it is less than a second old."""

import html
import time
from collections import deque
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


async def checked_user(websocket: WebSocket) -> str | None:
    origin = websocket.headers.get("origin")
    token = websocket.query_params.get("token")
    cookie = websocket.cookies.get("session")
    ok = origin in ALLOWED_ORIGINS
    creds = [c for c in (token, cookie) if c is not None]
    ok = ok and bool(creds) and all(c in VALID_TOKENS for c in creds)
    ok = ok and len({VALID_TOKENS[c] for c in creds}) == 1
    if not ok:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return None
    return VALID_TOKENS[creds[0]]


@app.websocket("/ws/secure")
async def secure(
    websocket: WebSocket,
    user: Annotated[str | None, Depends(checked_user)],
    clock: Annotated[Callable[[], float], Depends(get_clock)],
):
    if user is None:
        return
    await websocket.accept()
    await websocket.send_json({"type": "welcome", "user": user})
    last_ten: deque[float] = deque(maxlen=MAX_MESSAGES_PER_SECOND)
    try:
        while True:
            text = await websocket.receive_text()
            if len(text.encode()) > MAX_MESSAGE_BYTES:
                await websocket.close(code=status.WS_1009_MESSAGE_TOO_BIG)
                break
            now = clock()
            if len(last_ten) == MAX_MESSAGES_PER_SECOND and now - last_ten[0] < 1:
                await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
                break
            last_ten.append(now)
            await websocket.send_json({"type": "echo", "user": user, "text": html.escape(text)})
    except WebSocketDisconnect:
        return
