"""Hidden tests for 1.2.3: a room-based WebSocket chat.

Every test imports `main` afresh (a new `manager`) and opens its clients inside one
`with TestClient(app)`, so that all connections share one event loop.

A read waits in event-loop turns, not in wall-clock time: the server gets SPIN_TURNS turns of
the loop (a few milliseconds; a correct server needs a handful) to send the expected message,
then a short GRACE in seconds. A server that never sends it fails that test at once instead of
hanging the suite, and the outcome does not depend on how busy the machine is.
"""

import json
import sys
from contextlib import contextmanager

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

SPIN_TURNS = 2000
GRACE = 0.1
# What a handler raises when it sends to a connection the test already closed: a consequence of
# another failure, not worth reporting.
CONSEQUENCES = (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream)


@pytest.fixture
def chat(learner):
    main = learner.fresh("main")
    for name in ("app", "manager"):
        assert hasattr(main, name), f"main.py defines no `{name}`"
    with TestClient(main.app, raise_server_exceptions=False) as client:
        yield client, main.manager


@contextmanager
def connect(client, room, name):
    """A client connected to `room` as `name`; a refused handshake fails with its close code."""
    path = f"/ws/chat/{room}?name={name}"
    session = client.websocket_connect(path)
    try:
        ws = session.__enter__()
    except WebSocketDisconnect as exc:
        raise AssertionError(
            f"the server refused the connection to {path} (close code {exc.code})"
        ) from None
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


def receive(ws, who):
    """The next JSON object `who` receives, or a failure that says what happened instead."""
    stream = getattr(ws, "_send_rx", None)  # Starlette's queue of the frames the server sent

    async def next_frame():
        for _ in range(SPIN_TURNS):
            try:
                return stream.receive_nowait()
            except anyio.WouldBlock:
                await anyio.sleep(0)
        with anyio.fail_after(GRACE):
            return await stream.receive()

    try:
        message = ws.receive() if stream is None else ws.portal.call(next_frame)
    except TimeoutError:
        raise AssertionError(
            f"{who} waited for a message, but the server sent nothing more"
        ) from None
    except (anyio.EndOfStream, anyio.ClosedResourceError):
        raise AssertionError(
            f"{who}'s connection ended: the server's handler stopped (did it raise?)"
        ) from None
    if message["type"] == "websocket.close":
        raise AssertionError(
            f"the server closed {who}'s connection (code {message.get('code')}) "
            "instead of sending a message"
        )
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
    message = receive(ws, who)
    seen = {key: message.get(key) for key in fields}
    assert seen == fields, f"{who} received {message}, expected {fields}"
    return message


def size(manager, room):
    value = manager.room_size(room)
    assert isinstance(value, int), f"manager.room_size({room!r}) returned {value!r}, not an int"
    return value


# --- Task 1: joining a room ----------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Accept the connection, add it to its room, then send {'type': 'join', 'name': name} to "
    "every connection of the room, the newcomer included."
)
def test_join_is_announced_to_everyone_in_the_room(chat):
    client, _ = chat
    with connect(client, "lobby", "ada") as ada:
        expect(ada, "ada", type="join", name="ada")
        with connect(client, "lobby", "bob") as bob:
            expect(bob, "bob", type="join", name="bob")
            expect(ada, "ada", type="join", name="bob")


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep the connections per room (e.g. dict[str, set[WebSocket]]) and let "
    "room_size(room) answer how many are open, 0 for a room nobody is in."
)
def test_room_size_counts_the_connections_of_a_room(chat):
    client, manager = chat
    assert size(manager, "lobby") == 0, "manager.room_size('lobby') is not 0 before anyone joined"
    with connect(client, "lobby", "ada"), connect(client, "lobby", "bob") as bob:
        expect(bob, "bob", type="join", name="bob")
        with connect(client, "kitchen", "cy") as cy:
            expect(cy, "cy", type="join", name="cy")
            assert (size(manager, "lobby"), size(manager, "kitchen")) == (2, 1), (
                f"with ada and bob in lobby and cy in kitchen, room_size answered "
                f"lobby={size(manager, 'lobby')}, kitchen={size(manager, 'kitchen')}"
            )
            assert size(manager, "attic") == 0, "room_size('attic') is not 0 for an empty room"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Declare the name as a required, non-empty query parameter of the WebSocket route: "
    "`name: Annotated[str, Query(min_length=1)]`. FastAPI then rejects the handshake with "
    "close code 1008 (policy violation) before your code runs; accepting first is too late."
)
@pytest.mark.parametrize("path", ["/ws/chat/lobby", "/ws/chat/lobby?name="])
def test_handshake_without_a_name_is_rejected_with_1008(chat, path):
    client, manager = chat
    with pytest.raises(WebSocketDisconnect) as rejected:
        with client.websocket_connect(path):
            pytest.fail(f"the handshake of {path} was accepted; it should be rejected with 1008")
    assert rejected.value.code == 1008, (
        f"{path} was closed with code {rejected.value.code}, expected 1008 (policy violation)"
    )
    assert size(manager, "lobby") == 0, f"after {path} was rejected, room_size('lobby') is not 0"


# --- Task 2: messages ----------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Loop on `text = await websocket.receive_text()` and send "
    "{'type': 'message', 'name': name, 'text': text} to every connection of the room, "
    "the sender included: echoing it back only to the sender is not a chat."
)
def test_message_reaches_everyone_in_the_room_including_the_sender(chat):
    client, _ = chat
    with connect(client, "lobby", "ada") as ada, connect(client, "lobby", "bob") as bob:
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
    client, _ = chat
    with connect(client, "lobby", "ada") as ada, connect(client, "lobby", "bob") as bob:
        expect(bob, "bob", type="join", name="bob")
        ada.send_text(text)
        expect(bob, "bob", type="message", name="ada", text=text)


@pytest.mark.task(2)
def test_messages_arrive_in_the_order_they_were_sent(chat):
    client, _ = chat
    with connect(client, "lobby", "ada") as ada, connect(client, "lobby", "bob") as bob:
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
    client, _ = chat
    with connect(client, "kitchen", "cy") as cy:
        expect(cy, "cy", type="join", name="cy")
        with connect(client, "lobby", "ada") as ada, connect(client, "lobby", "bob") as bob:
            expect(bob, "bob", type="join", name="bob")
            ada.send_text("lobby talk")
            expect(bob, "bob", type="message", name="ada", text="lobby talk")
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
    client, manager = chat
    with connect(client, "lobby", "ada") as ada:
        expect(ada, "ada", type="join", name="ada")
        with connect(client, "lobby", "bob") as bob:
            expect(ada, "ada", type="join", name="bob")
            assert size(manager, "lobby") == 2, "room_size('lobby') is not 2 with ada and bob in"
            bob.close()
            expect(ada, "ada", type="leave", name="bob")
            left = size(manager, "lobby")
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
    client, manager = chat
    with connect(client, "lobby", "ada") as ada, connect(client, "lobby", "bob") as bob:
        expect(ada, "ada", type="join", name="ada")
        expect(ada, "ada", type="join", name="bob")
        with connect(client, "lobby", "cy") as cy:
            expect(ada, "ada", type="join", name="cy")
            cy.close()
            expect(ada, "ada", type="leave", name="cy")
        ada.send_text("still here?")
        expect(ada, "ada", type="message", name="ada", text="still here?")
        expect(bob, "bob", type="join", name="bob")
        expect(bob, "bob", type="join", name="cy")
        expect(bob, "bob", type="leave", name="cy")
        expect(bob, "bob", type="message", name="ada", text="still here?")
        assert size(manager, "lobby") == 2, (
            f"with ada and bob left in lobby, room_size('lobby') is {size(manager, 'lobby')}"
        )
