"""Hidden tests for 4.3.3: a WebSocket endpoint that checks its handshake before accepting, and
limits what a connection may send.

Every test whose connections send messages imports `main` afresh (the `server` fixture), so that
no message of an earlier test counts in its rate limit; the tests that only open or refuse
handshakes (`handshakes`) take `main` as it is already imported. Each test opens its connections
through one entered TestClient, so that everything runs on one event loop; `get_clock` is
overridden with the kit's fake clock.
Nothing here waits on wall time:

- A read waits until the frame is there or the server has nothing left to do: no task ready to
  run on the loop and no thread at work for it. Work on the loop is counted in loop turns, which
  do not depend on how busy the machine is; thread work is waited for until it ends.
- The loop's clock stands still during a test, so a handler that sleeps or waits on a timeout
  never wakes, on an idle machine as on a loaded one.
- The rate limit is tested on the fake clock only: each message's echo is read before the clock
  is moved, so the server has read the clock for that message.
- An exception that escapes the handler is recorded and the connection closed with 1011, as a
  server does, so that a test can say what happened; a send to a client whose test session is
  over raises ConnectionResetError, as a server's does once the client is gone.

A refused handshake is one that the server closes before accepting it: the TestClient's
`websocket_connect` then raises WebSocketDisconnect with the close code.
"""

import html
import json
from contextlib import contextmanager

import anyio
import anyio.to_thread
import pytest
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from grader.testing import LoopCalm

APP_ORIGIN = "https://app.example.com"
ADMIN_ORIGIN = "https://admin.example.com"


class Wire:
    """The learner's app as a server runs it: an exception that escapes the WebSocket handler is
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
    def __init__(self, main, client, calm, wire, clock):
        self.main, self.client, self.calm, self.wire, self.clock = main, client, calm, wire, clock

    def raised(self):
        if not self.wire.errors:
            return ""
        return f" (the handler raised {'; '.join(self.wire.errors)})"


def serve(main, app_client, overrides, clock):
    overrides(main.app, {main.get_clock: lambda: clock.monotonic})
    wire = Wire(main.app)
    client = app_client(wire, lifespan=True)
    calm = LoopCalm()
    client.portal.call(calm.install)
    return Server(main, client, calm, wire, clock)


NAMES = ("main", "app", "ALLOWED_ORIGINS", "VALID_TOKENS", "get_clock")


@pytest.fixture
def server(learner, app_client, overrides, clock):
    """The learner's app, `main` imported afresh: for tests whose connections send messages,
    so that no message of an earlier test counts in this test's rate limit."""
    return serve(learner.require(*NAMES, fresh=True), app_client, overrides, clock)


@pytest.fixture
def handshakes(learner, app_client, overrides, clock):
    """The learner's app, `main` as imported (afresh at first use, or by the last test that
    used `server`): for tests that only open or refuse connections and send no message."""
    return serve(learner.require(*NAMES), app_client, overrides, clock)


def handshake(origin=APP_ORIGIN, token=None, cookie=None):
    """The path, the headers, and a description of a handshake."""
    path = "/ws/secure" if token is None else f"/ws/secure?token={token}"
    headers = {}
    parts = []
    if origin is not None:
        headers["origin"] = origin
        parts.append(f"Origin {origin}")
    else:
        parts.append("no Origin header")
    if cookie is not None:
        headers["cookie"] = f"session={cookie}"
        parts.append(f"cookie session={cookie}")
    return path, headers, f"{path} with {', '.join(parts)}"


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

    def receive(self, context=""):
        """The next JSON object this client receives, or a failure that says what happened."""
        message = self.next_message()
        if message is None:
            raise AssertionError(
                f"{self.who} waited for a message{context}, but the server sent nothing"
                f"{self.server.raised()}"
            )
        if message["type"] == "websocket.close":
            raise AssertionError(
                f"the server closed {self.who}'s connection (code {message.get('code')}) "
                f"instead of sending a message{context}{self.server.raised()}"
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
        data = self.receive(context)
        assert data == expected, f"{self.who} received {data}, expected {expected}{context}"

    def echo(self, text, user, context=""):
        """Send `text`, and check that its escaped echo comes back."""
        self.ws.send_text(text)
        shown = text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"
        expected = {"type": "echo", "user": user, "text": html.escape(text)}
        data = self.receive(f" after sending {shown!r}{context}")
        if data != expected:
            got = {k: (v if len(str(v)) <= 60 else f"{str(v)[:40]}...") for k, v in data.items()}
            want = html.escape(shown)
            raise AssertionError(
                f"{self.who} sent {shown!r}{context} and received {got}, expected "
                f"{{'type': 'echo', 'user': {user!r}, 'text': {want!r}}}"
            )

    def closed_with(self, code, context):
        """The next thing this client gets is a close with `code`, with no echo before it."""
        message = self.next_message()
        if message is None:
            raise AssertionError(
                f"{context}, the connection stayed open (nothing was sent); expected a close with "
                f"code {code}{self.server.raised()}"
            )
        if message["type"] != "websocket.close":
            got = message.get("text", message.get("bytes"))
            got = got if len(str(got)) <= 80 else f"{str(got)[:60]}..."
            raise AssertionError(
                f"{context}, the server sent {got!r}; expected it to close the connection with "
                f"code {code}"
            )
        assert message.get("code") == code, (
            f"{context}, the server closed the connection with code {message.get('code')}, "
            f"expected {code}{self.server.raised()}"
        )


@contextmanager
def connect(server, who, user, origin=APP_ORIGIN, token=None, cookie=None):
    """An accepted connection, whose welcome names `user`; anything else fails the test."""
    path, headers, described = handshake(origin, token, cookie)
    session = server.client.websocket_connect(path, headers=headers)
    try:
        ws = session.__enter__()
    except WebSocketDenialResponse as exc:
        raise AssertionError(
            f"{described} was denied with HTTP {exc.status_code}: it should be accepted"
        ) from None
    except WebSocketDisconnect as exc:
        raise AssertionError(
            f"{described} was refused (close code {exc.code}): it should be accepted"
            f"{server.raised()}"
        ) from None
    try:
        socket = Socket(ws, who, server)
        socket.expect({"type": "welcome", "user": user}, f" first, on {described}")
        yield socket
    finally:
        try:
            session.__exit__(None, None, None)
        except Exception:  # what the handler does once the test is over is not graded
            pass


def assert_refused(server, origin=APP_ORIGIN, token=None, cookie=None, why=""):
    """The handshake is closed with 1008 before it is accepted."""
    path, headers, described = handshake(origin, token, cookie)
    session = server.client.websocket_connect(path, headers=headers)
    try:
        ws = session.__enter__()
    except WebSocketDenialResponse as exc:
        raise AssertionError(
            f"{described}{why} was denied with an HTTP {exc.status_code} response; refuse it "
            "by closing the handshake with code 1008"
        ) from None
    except WebSocketDisconnect as exc:
        assert exc.code == 1008, (
            f"{described}{why} was refused with close code {exc.code}, expected 1008 (policy "
            f"violation){server.raised()}"
        )
        return
    try:
        first = Socket(ws, "the client", server).next_message()
    finally:
        try:
            session.__exit__(None, None, None)
        except Exception:
            pass
    if first is None:
        then = ""
    elif first["type"] == "websocket.close":
        then = f", then closed with code {first.get('code')}"
    else:
        then = f", then sent {first.get('text', first.get('bytes'))!r}"
    raise AssertionError(
        f"{described}{why} was accepted{then}: it must be refused with code 1008 before "
        "accept(), so that the client never gets a connection"
    )


# --- Task 1: who may connect ----------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Accept when the Origin is allowed and the token (query or cookie) is a key of "
    "VALID_TOKENS; the welcome names VALID_TOKENS[token], the token's user."
)
def test_valid_handshakes_are_accepted_and_welcomed(handshakes):
    with connect(handshakes, "bob", "bob", token="tok-bob"):
        pass
    with connect(handshakes, "ada (cookie)", "ada", origin=ADMIN_ORIGIN, cookie="tok-ada-phone"):
        pass
    with connect(handshakes, "bob (both)", "bob", token="tok-bob", cookie="tok-bob"):
        pass


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compare the users the two credentials belong to, not the tokens: a user may have "
    "several tokens, and two of them name the same user."
)
def test_two_tokens_of_the_same_user_are_accepted(handshakes):
    with connect(handshakes, "ada", "ada", token="tok-ada-laptop", cookie="tok-ada-phone"):
        pass


@pytest.mark.task(1)
@pytest.mark.points(10)
@pytest.mark.hint(
    "Check before `await websocket.accept()`: with neither ?token= nor a session cookie, "
    "raise WebSocketException(code=1008) (in a dependency or the handler), or "
    "`await websocket.close(code=1008)` and return without accepting."
)
def test_missing_credentials_are_refused_before_accept(handshakes):
    assert_refused(handshakes, why=" (no token, no cookie)")
    assert_refused(handshakes, origin=ADMIN_ORIGIN, why=" (no token, no cookie)")


@pytest.mark.task(1)
@pytest.mark.points(10)
@pytest.mark.hint(
    "Every credential that is present must be a key of VALID_TOKENS (a user name is not a "
    "token, an empty token is not one either); a valid one does not excuse an invalid other."
)
def test_invalid_tokens_are_refused_before_accept(handshakes):
    assert_refused(handshakes, token="nope", why=" (an unknown token)")
    assert_refused(handshakes, token="", why=" (an empty token)")
    assert_refused(handshakes, token="ada", why=" ('ada' is a user, not a token)")
    assert_refused(handshakes, cookie="nope", why=" (an unknown token in the cookie)")
    assert_refused(handshakes, token="tok-bob", cookie="nope", why=" (the cookie is not a token)")
    assert_refused(handshakes, token="nope", cookie="tok-bob", why=" (the query token is unknown)")
    assert_refused(
        handshakes, token="", cookie="tok-bob", why=" (the query token is present but empty)"
    )
    assert_refused(handshakes, token="tok-bob", cookie="", why=" (the cookie is present but empty)")


@pytest.mark.task(1)
@pytest.mark.points(10)
@pytest.mark.hint(
    "When both ?token= and the session cookie are present, look up both users; if they "
    "differ, refuse (1008). Preferring one of the two lets a page smuggle in someone else's "
    "identity."
)
def test_a_token_of_another_user_is_refused(handshakes):
    assert_refused(
        handshakes, token="tok-ada-laptop", cookie="tok-bob", why=" (ada's token, bob's cookie)"
    )
    assert_refused(
        handshakes, token="tok-bob", cookie="tok-ada-phone", why=" (bob's token, ada's cookie)"
    )


@pytest.mark.task(1)
@pytest.mark.points(10)
@pytest.mark.hint(
    "Read the Origin header (`origin: Annotated[str | None, Header()] = None`, or "
    "websocket.headers.get('origin')) and require `origin in ALLOWED_ORIGINS`: an exact "
    "match against the set, so a missing header, another scheme, a part of an allowed origin, "
    "the same origin in other letter case or a look-alike such as "
    "https://app.example.com.evil.example is refused."
)
def test_a_foreign_or_missing_origin_is_refused(handshakes):
    for origin, why in [
        (None, ""),
        ("https://evil.example", " (another site)"),
        ("https://app.example.com.evil.example", " (a look-alike of an allowed origin)"),
        ("https://app.example", " (a part of an allowed origin)"),
        ("http://app.example.com", " (http, not https)"),
        ("https://APP.example.com", " (an allowed origin in other letter case)"),
        ("null", " (a sandboxed page)"),
    ]:
        assert_refused(handshakes, origin=origin, token="tok-bob", why=why)


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Look the token up in VALID_TOKENS at each handshake, not in a copy made when the module "
    "was imported: a revoked token must stop working at once."
)
def test_tokens_are_checked_against_the_current_valid_tokens(handshakes, monkeypatch):
    with connect(handshakes, "bob", "bob", token="tok-bob"):
        pass
    monkeypatch.delitem(handshakes.main.VALID_TOKENS, "tok-bob")
    assert_refused(handshakes, token="tok-bob", why=" (tok-bob was removed from VALID_TOKENS)")
    monkeypatch.setitem(handshakes.main.VALID_TOKENS, "tok-cy", "cy")
    with connect(handshakes, "cy", "cy", token="tok-cy"):
        pass


@pytest.mark.task(1)
@pytest.mark.points(4)
@pytest.mark.hint(
    "Test `origin in ALLOWED_ORIGINS` at each handshake, not against a copy (a frozenset, a "
    "joined string, a regex) made when the module was imported: an origin added to or removed "
    "from the set counts from the next handshake on."
)
def test_origins_are_checked_against_the_current_allowed_origins(handshakes):
    origins = handshakes.main.ALLOWED_ORIGINS
    assert isinstance(origins, set), (
        f"main.ALLOWED_ORIGINS is a {type(origins).__name__}, expected a set of origins"
    )
    saved = set(origins)
    beta = "https://beta.example.com"
    try:
        origins.discard(ADMIN_ORIGIN)
        assert_refused(
            handshakes,
            origin=ADMIN_ORIGIN,
            token="tok-bob",
            why=f" ({ADMIN_ORIGIN} was removed from ALLOWED_ORIGINS)",
        )
        origins.add(beta)
        with connect(handshakes, f"bob on {beta}", "bob", origin=beta, token="tok-bob"):
            pass
    finally:
        origins.clear()
        origins.update(saved)


# --- Task 2: the echo -----------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Echo {'type': 'echo', 'user': user, 'text': html.escape(text)}: html.escape escapes "
    "&, <, > and, by default, both quotes."
)
def test_the_echo_is_html_escaped(server):
    with connect(server, "bob", "bob", token="tok-bob") as bob:
        bob.echo("hello, Grüße 👋", "bob")
        bob.echo("<script>alert(\"x\")</script> & 'y'", "bob")
        bob.echo("&lt; is already an entity", "bob")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The user comes from VALID_TOKENS[token] for the credential that was checked; use it in "
    "the welcome and in every echo."
)
def test_the_echo_names_the_user_of_the_credentials(server):
    with connect(server, "ada", "ada", cookie="tok-ada-laptop") as ada:
        with connect(server, "bob", "bob", token="tok-bob") as bob:
            ada.echo("from ada", "ada")
            bob.echo("from bob", "bob")


# --- Task 3: limits -------------------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Measure what the client sent: len(text.encode('utf-8')) > 4096 closes. Exactly 4096 "
    "bytes is allowed, and the escaped echo may be longer than 4096."
)
def test_a_message_of_4096_bytes_and_a_long_escaped_echo_are_fine(server):
    with connect(server, "bob", "bob", token="tok-bob") as bob:
        bob.echo("a" * 4096, "bob", " (exactly 4096 bytes)")
        bob.echo("<" * 1500, "bob", " (1500 bytes; its escaped echo has 6000 characters)")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Count bytes, not characters: `len(text.encode('utf-8')) > 4096` → "
    "`await websocket.close(code=1009)` (status.WS_1009_MESSAGE_TOO_BIG), and no echo."
)
@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("a" * 4097, "4097 ASCII characters (4097 bytes)"),
        ("é" * 2049, "2049 characters 'é' (4098 bytes in UTF-8)"),
    ],
)
def test_a_message_over_4096_bytes_closes_with_1009(server, text, described):
    with connect(server, "bob", "bob", token="tok-bob") as bob:
        bob.ws.send_text(text)
        bob.closed_with(1009, f"after bob sent {described}")


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Keep the arrival times of the connection's recent messages; when a message arrives and "
    "10 of them are less than 1 s old, close with 1008 instead of echoing."
)
def test_the_11th_message_within_a_second_closes_with_1008(server):
    with connect(server, "bob", "bob", token="tok-bob") as bob:
        for n in range(10):
            bob.echo(f"message {n + 1}", "bob", " (the clock did not move)")
        bob.ws.send_text("message 11")
        bob.closed_with(1008, "when bob sent an 11th message within the same second")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Read the clock for every message (`now = clock()` in the loop, the clock taken with "
    "Depends(get_clock)), and forget the messages that are 1 s old or older."
)
def test_messages_are_allowed_again_a_second_later(server):
    with connect(server, "bob", "bob", token="tok-bob") as bob:
        for n in range(10):
            bob.echo(f"burst 1, message {n + 1}", "bob")
        server.clock.advance(1.5)
        for n in range(10):
            bob.echo(f"burst 2, message {n + 1}", "bob", " (1.5 s after the first burst)")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Time must come from the injected clock only: with time.monotonic() or time.time(), the "
    "tests' messages all arrive within a few milliseconds."
)
def test_five_messages_a_second_are_never_limited(server):
    with connect(server, "bob", "bob", token="tok-bob") as bob:
        for n in range(30):
            bob.echo(f"steady {n + 1}", "bob", f" ({0.2 * n:.1f} s after the first)")
            server.clock.advance(0.2)


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The window slides: count the messages of the last second before each message, not of "
    "the current whole second or of a window that starts at some earlier message. A token "
    "bucket lets more than 10 through in one second too."
)
def test_the_window_is_the_second_before_each_message(server):
    with connect(server, "bob", "bob", token="tok-bob") as bob:
        bob.echo("at 0.0 s", "bob")
        server.clock.advance(0.9)
        for n in range(9):
            bob.echo(f"at 0.9 s, message {n + 1}", "bob")
        server.clock.advance(0.2)
        bob.echo("at 1.1 s, the 10th of the last second", "bob")
        bob.ws.send_text("at 1.1 s, the 11th of the last second")
        bob.closed_with(
            1008,
            "when bob sent a message at 1.1 s with 10 others sent since 0.9 s (less than 1 s "
            "earlier)",
        )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A message sent exactly 1 s earlier is not 'less than 1 second before': forget the times "
    "t with now - t >= 1 (t <= now - 1), not only those more than 1 s old."
)
def test_a_message_exactly_one_second_old_is_outside_the_window(server):
    with connect(server, "bob", "bob", token="tok-bob") as bob:
        for n in range(10):
            bob.echo(f"at 0.0 s, message {n + 1}", "bob")
        server.clock.advance(1.0)
        for n in range(10):
            bob.echo(
                f"at 1.0 s, message {n + 1}",
                "bob",
                " (the 10 others were sent exactly 1 s earlier, not less than 1 s)",
            )
        bob.ws.send_text("at 1.0 s, message 11")
        bob.closed_with(1008, "when bob sent an 11th message at 1.0 s")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep the message times per connection (a local variable of the handler), not in a "
    "module-level list shared by every connection or user."
)
def test_each_connection_has_its_own_limit(server):
    with connect(server, "ada", "ada", token="tok-ada-laptop") as ada:
        with connect(server, "ada's phone", "ada", cookie="tok-ada-phone") as phone:
            for n in range(10):
                ada.echo(f"laptop {n + 1}", "ada")
                phone.echo(f"phone {n + 1}", "ada", " (the laptop sent as many)")
