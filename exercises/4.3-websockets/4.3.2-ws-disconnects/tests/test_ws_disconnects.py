"""Hidden tests for 4.3.2: a room whose connections always leave it, and a broadcast that
survives dead sockets.

Every test imports `main` afresh (a new `manager`) and opens its connections through one entered
TestClient, so that everything runs on one event loop. Nothing here waits on wall time:

- A read waits until the frame is there or the server has nothing left to do: no task ready to
  run on the loop and no thread at work for it. Work on the loop is counted in loop turns, which
  do not depend on how busy the machine is; thread work is waited for until it ends.
- The loop's clock stands still during a test, so a handler that sleeps or waits on a timeout
  never wakes, on an idle machine as on a loaded one.
- `active_count` and `broadcast` are called on the loop once the server has settled.

The app runs behind `Wire`, which plays the part of the server around each connection (named by
a header of the test's client): it can make the connection's transport fail the way a server's
does once a client is gone (an `OSError`, which Starlette turns into WebSocketDisconnect(1006),
or a `RuntimeError`), a send to a client whose test session is over fails with an OSError
too, it can cancel the handler's task, and it records every exception that escapes a handler.
"""

import inspect
import json
import logging
from contextlib import contextmanager

import anyio
import anyio.to_thread
import pytest
from starlette.websockets import WebSocketDisconnect

from grader.testing import LoopCalm

NAME = "x-grader-connection"  # the header that names a test connection for Wire


class Connection:
    """What the server side knows of one test connection."""

    def __init__(self):
        self.failure = None  # an exception every send raises, once the transport is "dead"
        self.failed_sends = 0
        self.scope = None  # the handler's cancel scope
        self.ended = False


class Wire:
    """The learner's app as a server runs it (see the module docstring)."""

    def __init__(self, app):
        self.app = app
        self.connections: dict[str, Connection] = {}
        self.errors: list[str] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        connection = self.connections.setdefault(
            headers.get(NAME.encode(), b"").decode(), Connection()
        )
        closed = False

        async def wired_send(message):
            nonlocal closed
            if connection.failure is not None and message["type"] != "websocket.accept":
                connection.failed_sends += 1
                raise connection.failure
            closed = closed or message["type"] == "websocket.close"
            try:
                await send(message)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                # The test's session is over: the client is gone, as a server would report it.
                raise ConnectionResetError(104, "Connection reset by peer") from None

        try:
            with anyio.CancelScope() as connection.scope:
                await self.app(scope, receive, wired_send)
        except Exception as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
            if not closed and connection.failure is None:
                await send({"type": "websocket.close", "code": 1011})
        finally:
            connection.ended = True


class Server:
    def __init__(self, main, client, calm, wire):
        self.main, self.client, self.calm, self.wire = main, client, calm, wire

    def settle(self):
        """Return once the server has nothing left to do."""
        self.client.portal.call(self.calm.until, lambda: None)

    def raised(self):
        if not self.wire.errors:
            return ""
        return f" (a handler raised {'; '.join(self.wire.errors)})"

    def on_loop(self, what, call):
        """`call()` (awaited if it returns an awaitable) on the server's loop, once it settled;
        an exception becomes a failure that names `what`."""

        async def settled_call():
            await self.calm.until(lambda: None)
            try:
                result = call()
                if inspect.isawaitable(result):
                    result = await result
            except Exception as exc:
                return AssertionError(f"{what} raised {type(exc).__name__}: {exc}")
            return result

        result = self.client.portal.call(settled_call)
        if isinstance(result, AssertionError):
            raise result
        assert isinstance(result, int) and not isinstance(result, bool), (
            f"{what} returned {result!r}, not an int"
        )
        return result

    def count(self):
        return self.on_loop("manager.active_count()", self.main.manager.active_count)

    def broadcast(self, message):
        return self.on_loop(
            f"manager.broadcast({message})", lambda: self.main.manager.broadcast(message)
        )

    def kill(self, name, failure):
        """From now on, every send to connection `name` raises `failure`."""
        self.wire.connections[name].failure = failure

    def cancel(self, name):
        """Cancel the task of connection `name`'s handler, then let the server settle."""
        self.client.portal.call(self.wire.connections[name].scope.cancel)
        self.settle()


@pytest.fixture
def server(learner, app_client):
    main = learner.require("main", "app", "manager", fresh=True)
    for method in ("active_count", "broadcast"):
        assert callable(getattr(main.manager, method, None)), (
            f"main.py: `manager` has no {method} method"
        )
    wire = Wire(main.app)
    client = app_client(wire, lifespan=True)
    calm = LoopCalm()
    client.portal.call(calm.install)
    return Server(main, client, calm, wire)


class Socket:
    """One client connection, as the tests read it."""

    def __init__(self, ws, name, server):
        self.ws, self.name, self.server = ws, name, server

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
                f"{self.name} waited for a message, but the server sent nothing"
                f"{self.server.raised()}"
            )
        if message["type"] == "websocket.close":
            raise AssertionError(
                f"the server closed {self.name}'s connection (code {message.get('code')}) "
                f"instead of sending a message{self.server.raised()}"
            )
        text = message.get("text")
        if text is None and message.get("bytes") is not None:
            text = message["bytes"].decode("utf-8", errors="replace")
        try:
            data = json.loads(text)
        except (TypeError, ValueError):
            raise AssertionError(f"{self.name} received {text!r}, which is not JSON") from None
        assert isinstance(data, dict), f"{self.name} received {data!r}, not a JSON object"
        return data

    def expect(self, expected, context=""):
        data = self.receive()
        assert data == expected, f"{self.name} received {data}, expected {expected}{context}"

    def silent(self, context=""):
        """Nothing more arrives once the server has nothing left to do."""
        message = self.next_message()
        if message is None:
            return
        if message["type"] == "websocket.close":
            raise AssertionError(
                f"the server closed {self.name}'s connection (code {message.get('code')})"
                f"{context}{self.server.raised()}"
            )
        got = message.get("text", message.get("bytes"))
        raise AssertionError(f"{self.name} received {got!r}{context}, expected nothing")

    def send(self, data):
        self.ws.send_text(json.dumps(data))

    def leave(self, code):
        """The client goes away with `code` (1006: it vanished without a close frame)."""
        self.ws.close(code)


@contextmanager
def connect(server, name):
    """A client connected to /ws/room, known to Wire as `name`; a refusal fails the test."""
    session = server.client.websocket_connect("/ws/room", headers={NAME: name})
    try:
        ws = session.__enter__()
    except WebSocketDisconnect as exc:
        raise AssertionError(
            f"the server refused {name}'s connection to /ws/room (close code {exc.code})"
            f"{server.raised()}"
        ) from None
    try:
        yield Socket(ws, name, server)
    finally:
        try:
            session.__exit__(None, None, None)
        except Exception:  # what the handler does once the test is over is not graded
            pass


def assert_quiet(server, caplog, what):
    assert not server.wire.errors, f"{what}, an exception escaped the handler: {server.raised()}"
    loud = [f"{r.levelname} {r.name}: {r.getMessage()}" for r in caplog.records]
    loud = [line for line, r in zip(loud, caplog.records) if r.levelno >= logging.ERROR]
    assert not loud, f"{what}, the server logged {loud}: a disconnect is not an error"


# --- Task 1: connections that always leave the room ----------------------------------------------


@pytest.mark.task(1)
@pytest.mark.hint(
    "Add each accepted connection to the room's list; active_count() is the list's length."
)
def test_connections_are_counted(server):
    assert server.count() == 0, "manager.active_count() is not 0 before anyone connected"
    with connect(server, "ada"), connect(server, "bob"), connect(server, "cy"):
        count = server.count()
        assert count == 3, f"with ada, bob and cy connected, active_count() returned {count}"


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "receive_json() raises WebSocketDisconnect when the client goes away, whatever the code: "
    "catch it and remove the connection (best in a `finally:` block)."
)
def test_every_kind_of_disconnect_removes_the_connection(server):
    with connect(server, "ada") as ada, connect(server, "bob") as bob:
        with connect(server, "cy") as cy:
            for left, (socket, code, how) in enumerate(
                [(ada, 1000, "closed"), (bob, 1001, "went away"), (cy, 1006, "vanished")], 1
            ):
                socket.leave(code)
                count = server.count()
                assert count == 3 - left, (
                    f"after {socket.name} {how} (code {code}), active_count() returned {count}, "
                    f"expected {3 - left}{server.raised()}"
                )


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "A cancelled task gets CancelledError, which `except WebSocketDisconnect` (or `except "
    "Exception`) does not catch: remove the connection in a `finally:` block, which runs "
    "however the handler ends."
)
def test_a_cancelled_handler_removes_its_connection(server):
    with connect(server, "ada") as ada, connect(server, "bob"):
        server.cancel("bob")
        count = server.count()
        assert count == 1, (
            f"after bob's handler task was cancelled, active_count() returned {count}, expected "
            "1: the connection must be removed however the handler ends"
        )
        delivered = server.broadcast({"type": "message", "text": "still here"})
        assert delivered == 1, f"broadcast returned {delivered} with only ada left, expected 1"
        ada.expect({"type": "message", "text": "still here"})


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Catch WebSocketDisconnect and let the handler return: a client leaving is an everyday "
    "event. Don't read again after it (receive raises RuntimeError then), don't re-raise it, "
    "and log it at INFO at most."
)
def test_a_disconnect_ends_the_handler_quietly(server, caplog):
    caplog.set_level(logging.INFO)
    with connect(server, "ada") as ada, connect(server, "bob") as bob:
        ada.leave(1006)
        bob.leave(1000)
        server.settle()
        assert_quiet(server, caplog, "after ada vanished (1006) and bob closed (1000)")
        assert all(c.ended for c in server.wire.connections.values()), (
            "after both clients left, a handler was still running: return once the client is gone"
        )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A new connection is a new WebSocket object: add it like any other. A count that only "
    "goes up, or a connection that is never removed, shows here."
)
def test_a_client_that_reconnects_is_counted_and_reached(server):
    with connect(server, "ada") as ada:
        with connect(server, "bob") as bob:
            bob.leave(1006)
            server.settle()
        with connect(server, "bob again") as again:
            count = server.count()
            assert count == 2, (
                f"bob vanished and connected again; active_count() returned {count}, expected 2"
            )
            delivered = server.broadcast({"type": "message", "text": "welcome back"})
            assert delivered == 2, f"broadcast returned {delivered}, expected 2 (ada, bob again)"
            ada.expect({"type": "message", "text": "welcome back"})
            again.expect({"type": "message", "text": "welcome back"})


# --- Task 2: broadcast ----------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Loop over the connections, `await websocket.send_json(message)`, and count the sends "
    "that went through."
)
def test_broadcast_reaches_everyone_and_returns_the_count(server):
    message = {"type": "message", "text": "Grüße 👋 <b>"}
    assert server.broadcast(message) == 0, "broadcast to an empty room did not return 0"
    with connect(server, "ada") as ada, connect(server, "bob") as bob, connect(server, "cy") as cy:
        delivered = server.broadcast(message)
        assert delivered == 3, f"broadcast to ada, bob and cy returned {delivered}, expected 3"
        for socket in (ada, bob, cy):
            socket.expect(message)


FAILURES = {
    "vanished": (ConnectionResetError(104, "Connection reset by peer"), "WebSocketDisconnect"),
    "closed": (
        RuntimeError("Unexpected ASGI message 'websocket.send', after sending 'websocket.close'."),
        "RuntimeError",
    ),
}


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Wrap each send in `try: ... except (WebSocketDisconnect, RuntimeError):` and remove that "
    "connection there, then go on. Loop over a copy (`list(self.connections)`): removing from "
    "the list the `for` walks skips the next connection, and changing a set while iterating "
    "over it raises."
)
@pytest.mark.parametrize("failure", ["vanished", "closed"])
def test_a_dead_connection_is_pruned_and_the_others_still_receive(server, failure):
    exception, raised = FAILURES[failure]
    message = {"type": "message", "text": "hello"}
    with connect(server, "dead"), connect(server, "ada") as ada, connect(server, "bob") as bob:
        server.kill("dead", exception)
        delivered = server.broadcast(message)
        assert delivered == 2, (
            f"sending to the first connection raises {raised} (its client is gone); broadcast "
            f"returned {delivered}, expected 2 (ada and bob)"
        )
        ada.expect(message, " (a dead connection came before ada)")
        bob.expect(message, " (a dead connection came before bob)")
        count = server.count()
        assert count == 2, (
            f"after broadcast met the dead connection, active_count() returned {count}, "
            "expected 2: remove it from the room"
        )
        tries = server.wire.connections["dead"].failed_sends
        assert server.broadcast(message) == 2, "a second broadcast did not return 2"
        again = server.wire.connections["dead"].failed_sends - tries
        assert again == 0, (
            f"a second broadcast tried the dead connection again ({again} sends): it must be "
            "pruned after the first failure"
        )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Removing must be safe when the connection is already gone: `if websocket in "
    "self.connections: self.connections.remove(websocket)` (or a set's discard). "
    "list.remove raises ValueError on the second removal, and a counter goes down twice."
)
@pytest.mark.parametrize("failure", ["vanished", "closed"])
def test_a_pruned_connection_that_leaves_later_changes_nothing(server, caplog, failure):
    exception, _ = FAILURES[failure]
    with connect(server, "dead") as dead, connect(server, "ada"), connect(server, "bob"):
        server.kill("dead", exception)
        server.broadcast({"type": "message", "text": "hello"})
        dead.leave(1006)  # its handler now learns that the client is gone
        count = server.count()
        assert count == 2, (
            f"broadcast pruned the dead connection, then its handler saw the disconnect: "
            f"active_count() returned {count}, expected 2 (ada and bob){server.raised()}"
        )
        assert_quiet(server, caplog, "when the pruned connection's handler ended")


# --- Task 3: ping and messages --------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "On {'type': 'ping'}, `await websocket.send_json({'type': 'pong'})` on this connection "
    "only, not through broadcast."
)
def test_ping_gets_a_pong_for_that_client_only(server):
    with connect(server, "ada") as ada, connect(server, "bob") as bob:
        ada.send({"type": "ping"})
        ada.expect({"type": "pong"})
        bob.silent(" when ada sent a ping")
        bob.send({"type": "ping"})
        bob.expect({"type": "pong"})
        ada.silent(" when bob sent a ping")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "On {'type': 'say', 'text': text}, `await manager.broadcast({'type': 'message', "
    "'text': text})`: everyone in the room gets it, the sender too."
)
def test_say_is_broadcast_to_everyone_including_the_sender(server):
    with connect(server, "ada") as ada, connect(server, "bob") as bob:
        ada.send({"type": "say", "text": "hi all"})
        ada.expect({"type": "message", "text": "hi all"}, " (the sender gets its own message)")
        bob.expect({"type": "message", "text": "hi all"})


@pytest.mark.task(3)
@pytest.mark.hint(
    "Answer only ping and say. Any other type: send nothing, and keep reading (don't close, "
    "don't raise)."
)
def test_other_types_are_ignored(server):
    with connect(server, "ada") as ada, connect(server, "bob") as bob:
        ada.send({"type": "dance"})
        ada.send({"text": "no type"})
        ada.silent(" after sending {'type': 'dance'} and an object without a type")
        bob.silent(" after ada sent messages of unknown types")
        ada.send({"type": "ping"})
        ada.expect({"type": "pong"}, " (the connection must stay open after unknown types)")
