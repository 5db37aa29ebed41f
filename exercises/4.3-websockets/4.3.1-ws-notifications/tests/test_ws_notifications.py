"""Hidden tests for 4.3.1: notifications pushed to each user's open WebSocket connections.

Every test imports `main` afresh (a new `manager`) and opens its connections and requests through
one entered TestClient, so that everything runs on one event loop. Nothing here waits on wall
time:

- A read waits until the frame is there or the server has nothing left to do: no task ready to
  run on the loop and no thread at work for it. Work on the loop is counted in loop turns, which
  do not depend on how busy the machine is; thread work is waited for until it ends.
- The loop's clock stands still during a test, so a handler that sleeps or waits on a timeout
  never wakes, on an idle machine as on a loaded one.
- Before each call of `send_to_user`, each request and each check of "nothing arrived", the
  server settles first (a disconnect is handled before the next notification).
- An exception that escapes a WebSocket handler is recorded and the connection closed with 1011,
  as a server does, so that a test can say what happened; a send to a client whose test session
  is over raises ConnectionResetError, as a server's does once the client is gone.
"""

import inspect
import json
from contextlib import contextmanager
from datetime import datetime

import anyio
import anyio.to_thread
import pytest
from starlette.websockets import WebSocketDisconnect

from grader.testing import LoopCalm


class Wire:
    """The learner's app as a server runs it: an exception that escapes a WebSocket handler is
    recorded, and the connection is closed with 1011 (internal error) if it was still open."""

    def __init__(self, app):
        self.app = app
        self.errors: list[str] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        closed = False

        async def watched(message):
            nonlocal closed
            closed = closed or message["type"] == "websocket.close"
            try:
                await send(message)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                raise ConnectionResetError(104, "Connection reset by peer") from None

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
            if not closed:
                await send({"type": "websocket.close", "code": 1011})


class Server:
    def __init__(self, main, client, calm, wire):
        self.main, self.client, self.calm, self.wire = main, client, calm, wire

    def settle(self):
        """Return once the server has nothing left to do."""
        self.client.portal.call(self.calm.until, lambda: None)

    def raised(self):
        if not self.wire.errors:
            return ""
        return f" (a WebSocket handler raised {'; '.join(self.wire.errors)})"

    def send_to_user(self, user_id, message):
        """await manager.send_to_user(user_id, message) on the server's loop, once it settled."""
        call = f"manager.send_to_user({user_id}, {message})"

        async def settled_call():
            await self.calm.until(lambda: None)
            try:
                result = self.main.manager.send_to_user(user_id, message)
                if inspect.isawaitable(result):
                    result = await result
            except Exception as exc:
                return AssertionError(f"{call} raised {type(exc).__name__}: {exc}")
            return result

        result = self.client.portal.call(settled_call)
        if isinstance(result, AssertionError):
            raise result
        assert isinstance(result, int) and not isinstance(result, bool), (
            f"{call} returned {result!r}, not the number of connections (an int)"
        )
        return result

    def post(self, path, **options):
        self.settle()
        return self.client.post(path, **options)


@pytest.fixture
def server(learner, app_client):
    main = learner.require("main", "app", "manager", "get_now", fresh=True)
    assert callable(getattr(main.manager, "send_to_user", None)), (
        "main.py: `manager` has no send_to_user(user_id, message) method"
    )
    wire = Wire(main.app)
    client = app_client(wire, lifespan=True)
    calm = LoopCalm()
    client.portal.call(calm.install)
    return Server(main, client, calm, wire)


class Socket:
    """One client connection, as the tests read it."""

    def __init__(self, ws, who, server):
        self.ws, self.who, self.server = ws, who, server

    def next_message(self):
        """The next ASGI message the server sent to this client, or None when the server has
        nothing left to do and sent nothing more."""
        stream = self.ws._send_rx  # Starlette's queue of the frames the server sent to this client

        def available():
            try:
                return stream.receive_nowait()
            except anyio.WouldBlock:
                return None

        try:
            return self.ws.portal.call(self.server.calm.until, available)
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            return {"type": "websocket.close", "code": None}

    def receive(self):
        """The next JSON object this client receives, or a failure that says what happened."""
        message = self.next_message()
        if message is None:
            raise AssertionError(
                f"{self.who} waited for a message, but the server sent nothing"
                f"{self.server.raised()}"
            )
        if message["type"] == "websocket.close":
            raise AssertionError(
                f"the server closed {self.who}'s connection (code {message.get('code')}) "
                f"instead of sending a message{self.server.raised()}"
            )
        text = message.get("text")
        if text is None and message.get("bytes") is not None:
            text = message["bytes"].decode("utf-8", errors="replace")
        try:
            data = json.loads(text)
        except (TypeError, ValueError):
            raise AssertionError(f"{self.who} received {text!r}, which is not JSON") from None
        assert isinstance(data, dict), f"{self.who} received {data!r}, not a JSON object"
        return data

    def expect(self, expected, context=""):
        data = self.receive()
        assert data == expected, f"{self.who} received {data}, expected {expected}{context}"
        return data

    def silent(self, context=""):
        """Nothing more arrives once the server has nothing left to do."""
        message = self.next_message()
        if message is None:
            return
        if message["type"] == "websocket.close":
            raise AssertionError(
                f"the server closed {self.who}'s connection (code {message.get('code')})"
                f"{context}{self.server.raised()}"
            )
        got = message.get("text", message.get("bytes"))
        raise AssertionError(f"{self.who} received {got!r}{context}, expected nothing")

    def send_text(self, text):
        self.ws.send_text(text)

    def close(self, code=1000):
        self.ws.close(code)


@contextmanager
def connect(server, user_id, who):
    """A client connected to /ws/notifications/{user_id}; a refused handshake fails the test."""
    path = f"/ws/notifications/{user_id}"
    session = server.client.websocket_connect(path)
    try:
        ws = session.__enter__()
    except WebSocketDisconnect as exc:
        raise AssertionError(
            f"the server refused the connection to {path} (close code {exc.code}){server.raised()}"
        ) from None
    try:
        yield Socket(ws, who, server)
    finally:
        try:
            session.__exit__(None, None, None)
        except Exception:  # what the handler does once the test is over is not graded
            pass


def note(n):
    return {"type": "notification", "title": f"note {n}", "body": f"body {n}", "ts": "x"}


# --- Task 1: the WebSocket route ----------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "Declare `@app.websocket('/ws/notifications/{user_id}')` with `user_id: int`, accept the "
    "connection and register it; send nothing until a notification comes."
)
def test_a_connection_is_accepted_and_hears_nothing_on_its_own(server):
    with connect(server, 7, "user 7") as ws:
        ws.silent(" right after connecting (the server sends only notifications)")


@pytest.mark.task(1)
@pytest.mark.hint(
    "Type the path parameter: `user_id: int`. FastAPI then refuses a non-integer id with close "
    "code 1008 before your handler runs."
)
def test_a_non_integer_user_id_is_refused_with_1008(server):
    with pytest.raises(WebSocketDisconnect) as refused:
        with server.client.websocket_connect("/ws/notifications/abc"):
            pytest.fail("/ws/notifications/abc was accepted; user_id must be an integer")
    assert refused.value.code == 1008, (
        f"/ws/notifications/abc was closed with code {refused.value.code}, expected 1008"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Read with `await websocket.receive()` (or receive_text) in a loop and ignore what comes: "
    "`receive_json` fails on plain text, and an echo is not a notification. The connection "
    "must stay registered."
)
def test_what_the_client_sends_is_ignored(server):
    with connect(server, 7, "user 7") as ws:
        for text in ("hello", '{"type": "ping"}', "[1, 2]"):
            ws.send_text(text)
        ws.silent(" after sending 'hello', a JSON object and a JSON list, which are ignored")
        delivered = server.send_to_user(7, note(1))
        assert delivered == 1, (
            f"after user 7 sent three frames, send_to_user(7, ...) returned {delivered}, "
            "expected 1: the connection must stay open and registered"
        )
        ws.expect(note(1))


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "When the client goes away, `receive` returns a 'websocket.disconnect' message (or "
    "receive_text raises WebSocketDisconnect): remove that connection, and only that one, in "
    "a `finally` block so that it is removed however the loop ends."
)
def test_a_closed_connection_is_no_longer_counted(server):
    with connect(server, 7, "tab 1") as tab1, connect(server, 7, "tab 2") as tab2:
        assert server.send_to_user(7, note(1)) == 2, "user 7 has two connections open"
        tab1.expect(note(1))
        tab2.expect(note(1))
        tab1.close(1000)
        delivered = server.send_to_user(7, note(2))
        assert delivered == 1, (
            f"after tab 1 closed (code 1000), send_to_user(7, ...) returned {delivered}, "
            "expected 1 (tab 2 only)"
        )
        tab2.expect(note(2), " (tab 2 is still open)")
        tab2.close(1006)
        delivered = server.send_to_user(7, note(3))
        assert delivered == 0, (
            f"after tab 2 went away abruptly (code 1006) too, send_to_user(7, ...) returned "
            f"{delivered}, expected 0"
        )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Remove the connection that closed, found by the WebSocket object itself (e.g. "
    "`sockets.remove(websocket)`): a position saved when it connected is stale once an "
    "earlier connection has left."
)
def test_closing_two_of_three_connections_keeps_the_third(server):
    with connect(server, 7, "tab A") as tab_a, connect(server, 7, "tab B") as tab_b:
        with connect(server, 7, "tab C") as tab_c:
            tab_a.close(1000)
            server.settle()
            tab_b.close(1000)
            server.settle()
            delivered = server.send_to_user(7, note(1))
            assert delivered == 1, (
                f"user 7 opened tabs A, B and C, then closed A and B; send_to_user(7, ...) "
                f"returned {delivered}, expected 1 (tab C only)"
            )
            tab_c.expect(note(1), " (tab C is still open; A and B were closed)")


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A disconnect removes that connection from the user's list; a new connection is added "
    "again. Keying by user_id alone and never adding again, or counting a stale socket, "
    "breaks a reconnect."
)
def test_a_user_who_reconnects_is_reached_again(server):
    with connect(server, 7, "first connection") as first:
        first.close()
        server.settle()
    with connect(server, 7, "the new connection") as again:
        delivered = server.send_to_user(7, note(1))
        assert delivered == 1, (
            f"user 7 closed a connection and opened a new one; send_to_user(7, ...) returned "
            f"{delivered}, expected 1"
        )
        again.expect(note(1))


# --- Task 2: send_to_user -----------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Keep a list (or set) of connections per user, e.g. dict[int, list[WebSocket]], and send "
    "to each. A dict of one socket per user forgets the first tab when the second connects."
)
def test_every_connection_of_the_user_receives_the_message(server):
    message = {"type": "notification", "title": "Grüße 👋", "body": "<b>new</b>", "ts": "now"}
    with connect(server, 7, "tab 1") as tab1, connect(server, 7, "tab 2") as tab2:
        with connect(server, 7, "the phone") as phone:
            delivered = server.send_to_user(7, message)
            assert delivered == 3, (
                f"user 7 has three connections open; send_to_user returned {delivered}"
            )
            for ws in (tab1, tab2, phone):
                ws.expect(message)


@pytest.mark.task(2)
@pytest.mark.points(6)
@pytest.mark.hint(
    "Send to the connections of `user_id` only, never to every open connection: a "
    "notification is private to its user."
)
def test_another_user_receives_nothing(server):
    with connect(server, 7, "user 7") as seven, connect(server, 8, "user 8") as eight:
        delivered = server.send_to_user(7, note(1))
        assert delivered == 1, f"send_to_user(7, ...) returned {delivered}, expected 1 (user 7)"
        seven.expect(note(1))
        eight.silent(" while a notification was sent to user 7")
        assert server.send_to_user(8, note(2)) == 1, "send_to_user(8, ...) did not return 1"
        first = eight.receive()
        assert first == note(2), (
            f"after a notification for user 7, then one for user 8, user 8 first received "
            f"{first}: another user's notification leaked"
        )
        seven.silent(" when the notification was for user 8")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("A user with no open connection has nothing to send to: return 0.")
def test_an_offline_user_gets_zero_and_nobody_receives(server):
    assert server.send_to_user(7, note(1)) == 0, (
        "with nobody connected, send_to_user(7, ...) did not return 0"
    )
    with connect(server, 8, "user 8") as eight:
        delivered = server.send_to_user(7, note(2))
        assert delivered == 0, (
            f"user 7 is offline (only user 8 is connected); send_to_user(7, ...) returned "
            f"{delivered}"
        )
        eight.silent(" when the notification was for user 7, who is offline")


@pytest.mark.task(2)
def test_messages_arrive_in_the_order_they_were_sent(server):
    with connect(server, 7, "tab 1") as tab1, connect(server, 7, "tab 2") as tab2:
        for n in range(4):
            server.send_to_user(7, note(n))
        for ws in (tab1, tab2):
            received = [ws.receive().get("title") for _ in range(4)]
            assert received == [f"note {n}" for n in range(4)], (
                f"send_to_user sent 'note 0' to 'note 3' in turn; {ws.who} received {received}"
            )


# --- Task 3: POST /notify/{user_id} -------------------------------------------------------------


def said(response):
    return f"{response.status_code} {response.text[:200]}"


@pytest.fixture
def frozen_now(server, overrides, clock):
    overrides(server.main.app, {server.main.get_now: lambda: clock.now()})
    return clock


def check_ts(message, clock, who):
    ts = message.get("ts")
    try:
        moment = datetime.fromisoformat(ts)
    except (TypeError, ValueError):
        raise AssertionError(f"{who} received ts={ts!r}, which is not an ISO 8601 time") from None
    assert moment == clock.now(), (
        f"{who} received ts={ts!r}, expected the time get_now returned: "
        f"{clock.now().isoformat()} (take it through Depends(get_now))"
    )
    assert ts == clock.now().isoformat(), (
        f"{who} received ts={ts!r}, expected it written with .isoformat(): "
        f"{clock.now().isoformat()!r}"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "`@app.post('/notify/{user_id}', status_code=202)`, a body model with title and body, and "
    "`return {'delivered': await manager.send_to_user(user_id, message)}`."
)
def test_post_notify_answers_202_and_every_connection_receives(server, frozen_now):
    body = {"title": "New comment", "body": "Ada replied to your post"}
    with connect(server, 7, "tab 1") as tab1, connect(server, 7, "tab 2") as tab2:
        response = server.post("/notify/7", json=body)
        assert response.status_code == 202, (
            f"POST /notify/7 answered {said(response)}, expected 202"
        )
        assert response.json() == {"delivered": 2}, (
            f"POST /notify/7 with two connections open answered {response.json()}, "
            "expected {'delivered': 2}"
        )
        for ws in (tab1, tab2):
            message = ws.receive()
            expected = {"type": "notification", **body, "ts": frozen_now.now().isoformat()}
            assert set(message) == set(expected), (
                f"{ws.who} received {message}, expected exactly the keys type, title, body, ts"
            )
            shown = {key: message[key] for key in ("type", "title", "body")}
            assert shown == {"type": "notification", **body}, (
                f"{ws.who} received {message}, expected type 'notification' and the posted "
                "title and body"
            )
            check_ts(message, frozen_now, ws.who)


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Ask for the time in the endpoint's parameters: `now: Annotated[datetime, "
    "Depends(get_now)]`, then `now.isoformat()`. Calling datetime.now() yourself ignores the "
    "override; a time taken once at import never moves."
)
def test_ts_is_the_time_from_get_now_at_each_request(server, frozen_now):
    with connect(server, 7, "user 7") as ws:
        response = server.post("/notify/7", json={"title": "a", "body": "first"})
        assert response.status_code == 202, f"POST /notify/7 answered {said(response)}"
        check_ts(ws.receive(), frozen_now, "user 7 (first notification)")
        frozen_now.advance(90)
        response = server.post("/notify/7", json={"title": "b", "body": "90 s later"})
        assert response.status_code == 202, f"POST /notify/7 answered {said(response)}"
        check_ts(ws.receive(), frozen_now, "user 7 (a notification 90 s later)")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint("An offline user is not an error: answer 202 with {'delivered': 0}.")
def test_post_to_an_offline_user_is_202_with_zero(server, frozen_now):
    with connect(server, 8, "user 8") as eight:
        response = server.post("/notify/7", json={"title": "t", "body": "b"})
        assert (response.status_code, response.json()) == (202, {"delivered": 0}), (
            f"POST /notify/7 for an offline user answered {said(response)}, expected 202 "
            "{'delivered': 0}"
        )
        eight.silent(" when the notification was for user 7")


@pytest.mark.task(3)
@pytest.mark.points(5)
@pytest.mark.hint(
    "POST /notify/{user_id} must go through manager.send_to_user(user_id, ...): only that "
    "user's connections may receive it."
)
def test_post_notify_reaches_that_user_only(server, frozen_now):
    with connect(server, 7, "user 7") as seven, connect(server, 8, "user 8") as eight:
        response = server.post("/notify/7", json={"title": "for 7", "body": "private"})
        assert response.json() == {"delivered": 1}, (
            f"POST /notify/7 answered {said(response)}, expected {{'delivered': 1}}"
        )
        assert seven.receive().get("title") == "for 7", "user 7 did not get its notification"
        eight.silent(" when the notification was for user 7")
        server.post("/notify/8", json={"title": "for 8", "body": "private"})
        first = eight.receive()
        assert first.get("title") == "for 8", (
            f"after notifications for user 7 then user 8, user 8 first received {first}"
        )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Declare the body as a Pydantic model with `title: str` and `body: str`, and user_id as "
    "an int: FastAPI answers 422 before your code runs, so nothing is sent."
)
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/notify/7", {"title": "no body"}),
        ("/notify/7", {"body": "no title"}),
        ("/notify/abc", {"title": "t", "body": "b"}),
    ],
)
def test_an_invalid_notification_is_422_and_sends_nothing(server, frozen_now, path, body):
    with connect(server, 7, "user 7") as ws:
        response = server.post(path, json=body)
        assert response.status_code == 422, (
            f"POST {path} {body} answered {said(response)}, expected 422"
        )
        ws.silent(f" after POST {path} {body} was refused")
