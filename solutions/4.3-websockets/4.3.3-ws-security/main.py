import html
import time
from collections import deque
from collections.abc import Callable
from typing import Annotated

from fastapi import (
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
    """The clock the rate limit reads, in seconds (the tests override this dependency)."""
    return time.monotonic


def authenticate(
    origin: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query()] = None,
    session: Annotated[str | None, Cookie()] = None,
) -> str:
    """The user of the handshake, or a refusal (1008) before the connection is accepted."""
    if origin not in ALLOWED_ORIGINS:
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION, reason="origin not allowed")
    presented = [credential for credential in (token, session) if credential is not None]
    users = {VALID_TOKENS.get(credential) for credential in presented}
    # At least one credential, every one valid, and all of them the same user's.
    if not presented or None in users or len(users) > 1:
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION, reason="not authorized")
    return users.pop()


@app.websocket("/ws/secure")
async def secure(
    websocket: WebSocket,
    user: Annotated[str, Depends(authenticate)],
    clock: Annotated[Callable[[], float], Depends(get_clock)],
) -> None:
    # Only now, with the checks passed, is the connection accepted.
    await websocket.accept()
    await websocket.send_json({"type": "welcome", "user": user})
    recent: deque[float] = deque()  # arrival times of the messages of the last second
    try:
        while True:
            text = await websocket.receive_text()
            if len(text.encode("utf-8")) > MAX_MESSAGE_BYTES:
                await websocket.close(code=status.WS_1009_MESSAGE_TOO_BIG)
                return
            now = clock()
            while recent and recent[0] <= now - 1:
                recent.popleft()
            if len(recent) >= MAX_MESSAGES_PER_SECOND:
                await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="too fast")
                return
            recent.append(now)
            await websocket.send_json({"type": "echo", "user": user, "text": html.escape(text)})
    except WebSocketDisconnect:
        pass
