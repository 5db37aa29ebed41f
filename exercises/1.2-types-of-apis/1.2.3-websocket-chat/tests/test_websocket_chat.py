"""Hidden tests for 1.2.3: a room-based WebSocket chat.

Every test imports `main` afresh (a new `manager`) and opens its clients through one entered
TestClient, so that all connections share one event loop. Nothing here waits on wall time:

- A read waits until the frame is there or the server has nothing left to do: no task ready to
  run on the loop and no thread at work for it. Work on the loop is counted in loop turns, which
  do not depend on how busy the machine is; thread work is waited for until it ends.
- The loop's clock stands still during a test, so a handler that sleeps or waits on a timeout
  never wakes, on an idle machine as on a loaded one.
- Every frame the server sends is stamped with `manager.room_size(room)` read at the very moment
  it is sent (an ASGI wrapper around the app), so "remove first, then announce" is checked at the
  announcement, not by a later read that could race the server.
- `room_size` is read on the loop once the server has settled, never from the test's thread while
  a handler may still be running.
"""

import json
import sys
from contextlib import contextmanager

import anyio
import anyio.to_thread
import pytest
from starlette.websockets import WebSocketDisconnect

from grader.testing import LoopCalm

STAMP = "x-grader-room-size"  # the key the stamping wrapper adds to every frame the server sends
# What a handler raises when it sends to a connection the test already closed: a consequence of
# another failure, not worth reporting.
CONSEQUENCES = (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream)


class Stamped:
    """The learner's app, seen from the wire: each frame it sends carries the room's size at the
    moment of sending (read through the public `manager.room_size`)."""

    def __init__(self, app, manager):
        self.app, self.manager = app, manager

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        room = scope["path"].rstrip("/").rsplit("/", 1)[-1]

        async def stamped_send(message):
            if message.get("type") == "websocket.send":
                try:
                    size = self.manager.room_size(room)
                except Exception as exc:  # reported where the stamp is checked
                    size = f"room_size raised {type(exc).__name__}: {exc}"
                message = {**message, STAMP: size}
            await send(message)

        await self.app(scope, receive, stamped_send)


class Chat:
    def __init__(self, client, manager, calm):
        self.client, self.manager, self.calm = client, manager, calm

    def settle(self):
        """Return once the server has nothing left to do."""
        self.client.portal.call(self.calm.until, lambda: None)

    def size(self, room):
        """manager.room_size(room), read on the loop once the server has settled."""

        async def settled():
            await self.calm.until(lambda: None)
            return self.manager.room_size(room)

        value = self.client.portal.call(settled)
        assert isinstance(value, int), f"manager.room_size({room!r}) returned {value!r}, not an int"
        return value


@pytest.fixture
def chat(learner, app_client):
    main = learner.require("main", "app", "manager", fresh=True)
    assert callable(getattr(main.manager, "room_size", None)), (
        "main.py: `manager` has no room_size(room) method"
    )
    client = app_client(Stamped(main.app, main.manager), lifespan=True)
    calm = LoopCalm()
    client.portal.call(calm.install)
    return Chat(client, main.manager, calm)


@contextmanager
def connect(chat, room, name):
    """A client connected to `room` as `name`; a refused handshake fails with its close code."""
    path = f"/ws/chat/{room}?name={name}"
    session = chat.client.websocket_connect(path)
    try:
        ws = session.__enter__()
    except WebSocketDisconnect as exc:
        raise AssertionError(
            f"the server refused the connection to {path} (close code {exc.code})"
        ) from None
    ws.calm = chat.calm
    try:
        yield ws
    except Exception as error:
        failure = error
        if not isinstance(error, AssertionError):  # e.g. sending on a connection the server ended
            failure = AssertionError(
                f"a connection failed ({type(error).__name__}): "
                "the server's handler stopped (did it raise?)"
            )
        try:
            session.__exit__(None, None, None)
        except Exception as crash:  # the handler raised: say so next to what the test saw
            if "handler raised" not in str(failure) and not isinstance(crash, CONSEQUENCES):
                failure = AssertionError(
                    f"{failure}\n(the server's handler raised {type(crash).__name__}: {crash})"
                )
        raise failure from None
    except BaseException:
        session.__exit__(*sys.exc_info())
        raise
    else:
        try:
            session.__exit__(None, None, None)
        except Exception:  # what the handler does once the test is over is not graded
            pass


def receive_frame(ws, who):
    """The next frame `who` receives, as the dict the server sent (with its stamp), or a failure
    that says what happened instead."""
    stream = ws._send_rx  # Starlette's queue of the frames the server sent to this client

    def available():
        try:
            return stream.receive_nowait()
        except anyio.WouldBlock:
            return None

    try:
        message = ws.portal.call(ws.calm.until, available)
    except (anyio.EndOfStream, anyio.ClosedResourceError):
        raise AssertionError(
            f"{who}'s connection ended: the server's handler stopped (did it raise?)"
        ) from None
    if message is None:
        raise AssertionError(f"{who} waited for a message, but the server sent nothing more")
    if message["type"] == "websocket.close":
        raise AssertionError(
            f"the server closed {who}'s connection (code {message.get('code')}) "
            "instead of sending a message"
        )
    return message


def receive(ws, who):
    """The next JSON object `who` receives."""
    return decode(receive_frame(ws, who), who)


def decode(message, who):
    text = message.get("text")
    if text is None and message.get("bytes") is not None:
        text = message["bytes"].decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        raise AssertionError(f"{who} received {text!r}, which is not JSON") from None
    assert isinstance(data, dict), f"{who} received {data!r}, not a JSON object"
    return data


def expect(ws, who, **fields):
    return expect_stamped(ws, who, **fields)[0]


def expect_stamped(ws, who, **fields):
    """The next object `who` receives, checked against `fields`, and the room's size when the
    server sent it."""
    frame = receive_frame(ws, who)
    message = decode(frame, who)
    seen = {key: message.get(key) for key in fields}
    assert seen == fields, f"{who} received {message}, expected {fields}"
    return message, frame.get(STAMP)


# --- Task 1: joining a room ----------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Accept the connection, add it to its room, then send {'type': 'join', 'name': name} to "
    "every connection of the room, the newcomer included."
)
def test_join_is_announced_to_everyone_in_the_room(chat):
    with connect(chat, "lobby", "ada") as ada:
        expect(ada, "ada", type="join", name="ada")
        with connect(chat, "lobby", "bob") as bob:
            expect(bob, "bob", type="join", name="bob")
            expect(ada, "ada", type="join", name="bob")


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Add the connection to its room right after accepting it, and only then announce the join: "
    "when the join is sent, room_size must already count the newcomer. Sending the join to the "
    "others first and adding the newcomer afterwards announces someone who is not there yet."
)
def test_join_is_sent_once_the_newcomer_counts(chat):
    with connect(chat, "lobby", "ada") as ada:
        _, at_send = expect_stamped(ada, "ada", type="join", name="ada")
        assert at_send == 1, (
            f"when ada's join was sent to ada, room_size('lobby') was {at_send!r}, expected 1: "
            "a connection counts as soon as it is accepted"
        )
        with connect(chat, "lobby", "bob") as bob:
            for ws, who in ((ada, "ada"), (bob, "bob")):
                _, at_send = expect_stamped(ws, who, type="join", name="bob")
                assert at_send == 2, (
                    f"when bob's join was sent to {who}, room_size('lobby') was {at_send!r}, "
                    "expected 2 (ada and bob): add the newcomer before announcing it"
                )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep the connections per room (e.g. dict[str, set[WebSocket]]) and let "
    "room_size(room) answer how many are open, 0 for a room nobody is in."
)
def test_room_size_counts_the_connections_of_a_room(chat):
    assert chat.size("lobby") == 0, "manager.room_size('lobby') is not 0 before anyone joined"
    with connect(chat, "lobby", "ada"), connect(chat, "lobby", "bob") as bob:
        expect(bob, "bob", type="join", name="bob")
        with connect(chat, "kitchen", "cy") as cy:
            expect(cy, "cy", type="join", name="cy")
            assert (chat.size("lobby"), chat.size("kitchen")) == (2, 1), (
                f"with ada and bob in lobby and cy in kitchen, room_size answered "
                f"lobby={chat.size('lobby')}, kitchen={chat.size('kitchen')}"
            )
            assert chat.size("attic") == 0, "room_size('attic') is not 0 for an empty room"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Declare the name as a required, non-empty query parameter of the WebSocket route: "
    "`name: Annotated[str, Query(min_length=1)]`. FastAPI then rejects the handshake with "
    "close code 1008 (policy violation) before your code runs; accepting first is too late."
)
@pytest.mark.parametrize("path", ["/ws/chat/lobby", "/ws/chat/lobby?name="])
def test_handshake_without_a_name_is_rejected_with_1008(chat, path):
    with pytest.raises(WebSocketDisconnect) as rejected:
        with chat.client.websocket_connect(path):
            pytest.fail(f"the handshake of {path} was accepted; it should be rejected with 1008")
    assert rejected.value.code == 1008, (
        f"{path} was closed with code {rejected.value.code}, expected 1008 (policy violation)"
    )
    assert chat.size("lobby") == 0, f"after {path} was rejected, room_size('lobby') is not 0"


# --- Task 2: messages ----------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Loop on `text = await websocket.receive_text()` and send "
    "{'type': 'message', 'name': name, 'text': text} to every connection of the room, "
    "the sender included: echoing it back only to the sender is not a chat."
)
def test_message_reaches_everyone_in_the_room_including_the_sender(chat):
    with connect(chat, "lobby", "ada") as ada, connect(chat, "lobby", "bob") as bob:
        expect(ada, "ada", type="join", name="ada")
        expect(ada, "ada", type="join", name="bob")
        expect(bob, "bob", type="join", name="bob")
        ada.send_text("hello, bob")
        expect(ada, "ada (the sender)", type="message", name="ada", text="hello, bob")
        expect(bob, "bob", type="message", name="ada", text="hello, bob")
        bob.send_text("hi, ada")
        expect(bob, "bob (the sender)", type="message", name="bob", text="hi, ada")
        expect(ada, "ada", type="message", name="bob", text="hi, ada")


@pytest.mark.task(2)
@pytest.mark.hint(
    "Send the text as it came, inside JSON: the client sends plain text frames, not JSON, and "
    "send_json encodes quotes, '<' and emoji correctly."
)
@pytest.mark.parametrize("text", ['{"type": "leave", "name": "bob"}', "Grüße 👋 <b>&amp;", "  "])
def test_text_is_relayed_unchanged(chat, text):
    with connect(chat, "lobby", "ada") as ada, connect(chat, "lobby", "bob") as bob:
        expect(bob, "bob", type="join", name="bob")
        ada.send_text(text)
        expect(bob, "bob", type="message", name="ada", text=text)


@pytest.mark.task(2)
def test_messages_arrive_in_the_order_they_were_sent(chat):
    with connect(chat, "lobby", "ada") as ada, connect(chat, "lobby", "bob") as bob:
        expect(bob, "bob", type="join", name="bob")
        for n in range(5):
            ada.send_text(f"line {n}")
        received = [receive(bob, "bob").get("text") for _ in range(5)]
        assert received == [f"line {n}" for n in range(5)], (
            f"ada sent 'line 0' to 'line 4'; bob received {received}"
        )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Broadcast to the connections of the sender's room only, not to every open connection: "
    "a client in another room must see nothing of this room's joins and messages."
)
def test_another_room_sees_only_its_own_traffic(chat):
    with connect(chat, "kitchen", "cy") as cy:
        expect(cy, "cy", type="join", name="cy")
        with connect(chat, "lobby", "ada") as ada, connect(chat, "lobby", "bob") as bob:
            expect(bob, "bob", type="join", name="bob")
            ada.send_text("lobby talk")
            expect(bob, "bob", type="message", name="ada", text="lobby talk")
            chat.settle()  # whatever the lobby's traffic sends, it has been sent
            cy.send_text("kitchen talk")
            first = receive(cy, "cy")
            seen = {key: first.get(key) for key in ("type", "name", "text")}
            assert seen == {"type": "message", "name": "cy", "text": "kitchen talk"}, (
                f"cy, alone in kitchen, sent 'kitchen talk' and then first received {first}: "
                "traffic from the lobby leaked into the kitchen"
            )


# --- Task 3: leaving -----------------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "receive_text() raises WebSocketDisconnect when the client leaves: catch it, remove the "
    "connection from its room first, then send {'type': 'leave', 'name': name} to the others."
)
def test_leave_is_announced_and_the_room_shrinks(chat):
    with connect(chat, "lobby", "ada") as ada:
        expect(ada, "ada", type="join", name="ada")
        with connect(chat, "lobby", "bob") as bob:
            expect(ada, "ada", type="join", name="bob")
            assert chat.size("lobby") == 2, "room_size('lobby') is not 2 with ada and bob in"
            bob.close()
            _, at_send = expect_stamped(ada, "ada", type="leave", name="bob")
            assert at_send == 1, (
                f"when bob's leave was sent to ada, room_size('lobby') was {at_send!r}, "
                "expected 1: remove the connection first, then announce the leave"
            )
            left = chat.size("lobby")
            assert left == 1, (
                f"once ada was told that bob left, room_size('lobby') was {left}, expected 1: "
                "remove the connection before announcing the leave"
            )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "After a disconnect, the departed socket must leave the room: sending to it again fails "
    "and stops the broadcast for everyone else."
)
def test_chat_goes_on_after_someone_leaves(chat):
    with connect(chat, "lobby", "ada") as ada, connect(chat, "lobby", "bob") as bob:
        expect(ada, "ada", type="join", name="ada")
        expect(ada, "ada", type="join", name="bob")
        with connect(chat, "lobby", "cy") as cy:
            expect(ada, "ada", type="join", name="cy")
            cy.close()
            expect(ada, "ada", type="leave", name="cy")
        ada.send_text("still here?")
        expect(ada, "ada", type="message", name="ada", text="still here?")
        expect(bob, "bob", type="join", name="bob")
        expect(bob, "bob", type="join", name="cy")
        expect(bob, "bob", type="leave", name="cy")
        expect(bob, "bob", type="message", name="ada", text="still here?")
        assert chat.size("lobby") == 2, (
            f"with ada and bob left in lobby, room_size('lobby') is {chat.size('lobby')}"
        )
