"""Hidden tests for 4.2.1.

`main.get_clock` is replaced with the kit's fake clock (monkeypatch puts the original back). To
see *when* the entry is written, the app is wrapped in a small ASGI layer that notes when the
last body message of the response has gone out; the fake clock records that flag each time it
is read.
"""

import inspect
from datetime import datetime, timedelta

import pytest
from starlette.background import BackgroundTasks

PATHS = ("/login", "/logout")


@pytest.fixture
def main(learner, monkeypatch, clock):
    # A fresh import per test: ACTIVITY_LOG starts empty.
    module = learner.require("main", "app", "ACTIVITY_LOG", "get_clock", "log_activity", fresh=True)
    monkeypatch.setattr(module, "get_clock", clock.now)
    return module


class ResponseWatch:
    """Wraps an ASGI app; `sent` turns true once the response's last body message is out."""

    def __init__(self, app):
        self.app = app
        self.sent = False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.sent = False

        async def watched_send(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self.sent = True

        await self.app(scope, receive, watched_send)


def said(response):
    return f"{response.status_code} {response.text[:200]}"


def post(client, path, username):
    response = client.post(path, json={"username": username})
    assert response.status_code == 200, (
        f"POST {path} {{'username': {username!r}}} answered {said(response)}, expected 200"
    )
    return response


def parsed_at(entry, where):
    try:
        return datetime.fromisoformat(entry["at"])
    except (KeyError, TypeError, ValueError):
        pytest.fail(f"{where}: the entry {entry} has no ISO 8601 datetime under 'at'")


# --- Task 1: log_activity ------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Append a dict with exactly the keys username, action and at, where at is the datetime "
    "object get_clock() returns, unchanged (not its isoformat string, not rounded)."
)
def test_log_activity_appends_an_entry_with_the_clock_time(main, clock):
    clock.advance(0.123456)  # the stored time keeps its microseconds
    main.log_activity("ann", "logout")
    assert main.ACTIVITY_LOG == [{"username": "ann", "action": "logout", "at": clock.now()}], (
        f"after log_activity('ann', 'logout') at {clock.now().isoformat()}, ACTIVITY_LOG is "
        f"{main.ACTIVITY_LOG}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Call get_clock() inside log_activity, each time it runs. A default argument such as "
    "`at=get_clock()` is evaluated once, when the function is defined, and a clock read at "
    "import time never moves."
)
def test_log_activity_reads_the_clock_each_time_it_runs(main, clock):
    main.log_activity("ann", "login")
    clock.advance(90)
    main.log_activity("ann", "logout")
    stamps = [entry.get("at") for entry in main.ACTIVITY_LOG if isinstance(entry, dict)]
    expected = [clock.now() - timedelta(seconds=90), clock.now()]
    assert stamps == expected, (
        "log_activity ran twice, 90 s apart on the fake clock; the entries' at values are "
        f"{stamps}, expected {expected}"
    )


# --- Task 2: the background task -------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize(("path", "action"), [("/login", "login"), ("/logout", "logout")])
def test_post_answers_200_and_the_entry_is_there_once_the_call_returns(
    main, app_client, clock, path, action
):
    response = post(app_client(main.app), path, "ann")
    assert response.json() == {"username": "ann"}, f"POST {path} answered {response.json()}"
    expected = [{"username": "ann", "action": action, "at": clock.now()}]
    assert main.ACTIVITY_LOG == expected, (
        f"once POST {path} {{'username': 'ann'}} had returned, ACTIVITY_LOG was "
        f"{main.ACTIVITY_LOG}, expected {expected}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Ask for the tasks in the handler's parameters (`background_tasks: BackgroundTasks`) and "
    "pass the function itself: `background_tasks.add_task(log_activity, body.username, "
    '"login")`, not `add_task(log_activity(...))`.'
)
@pytest.mark.parametrize(("path", "action"), [("/login", "login"), ("/logout", "logout")])
def test_post_hands_log_activity_to_add_task(main, app_client, monkeypatch, path, action):
    calls = []
    original = BackgroundTasks.add_task

    def spy(self, func, *args, **kwargs):
        calls.append((func, args, kwargs))
        return original(self, func, *args, **kwargs)

    monkeypatch.setattr(BackgroundTasks, "add_task", spy)
    post(app_client(main.app), path, "ann")
    assert len(calls) == 1, (
        f"POST {path} called BackgroundTasks.add_task {len(calls)} times, expected once: "
        f"{[(getattr(func, '__name__', func), args, kwargs) for func, args, kwargs in calls]}"
    )
    func, args, kwargs = calls[0]
    assert func is main.log_activity, (
        f"POST {path} called add_task with {func!r} as the function, expected log_activity itself"
    )
    try:
        passed = inspect.signature(main.log_activity).bind(*args, **kwargs).args
    except TypeError:
        passed = (args, kwargs)
    assert passed == ("ann", action), (
        f"POST {path} {{'username': 'ann'}} scheduled log_activity with the arguments {args} "
        f"{kwargs}, expected ('ann', {action!r})"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Don't call log_activity in the handler: hand it to background_tasks.add_task, and FastAPI "
    "runs it once the response has been sent. Calling it first (or inside add_task's "
    "arguments, or from asyncio.create_task) writes the entry while the request is still open."
)
@pytest.mark.parametrize(("path", "action"), [("/login", "login"), ("/logout", "logout")])
def test_entry_is_written_after_the_response_was_sent(
    main, app_client, monkeypatch, clock, path, action
):
    watch = ResponseWatch(main.app)
    reads = []

    def watching_clock():
        reads.append(watch.sent)
        return clock.now()

    monkeypatch.setattr(main, "get_clock", watching_clock)
    post(app_client(watch), path, "ann")
    assert reads, f"POST {path} returned and get_clock() was never called: nothing was logged"
    assert all(reads), (
        f"POST {path} read the clock (wrote its entry) before its response had been sent: "
        "the log must be written in the background, after the response"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "A background task runs after the client has its answer, so its failure cannot change the "
    "status. If the answer is a 500, the logging ran inside the request."
)
@pytest.mark.parametrize(("path", "action"), [("/login", "login"), ("/logout", "logout")])
def test_a_failing_log_still_answers_200(main, app_client, monkeypatch, clock, path, action):
    def broken_clock():
        raise RuntimeError("the clock is broken")

    client = app_client(main.app)
    monkeypatch.setattr(main, "get_clock", broken_clock)
    response = client.post(path, json={"username": "ann"})
    assert response.status_code == 200 and response.json() == {"username": "ann"}, (
        f"with log_activity raising, POST {path} answered {said(response)}, expected 200 "
        "{'username': 'ann'}"
    )
    monkeypatch.setattr(main, "get_clock", clock.now)
    post(client, path, "bob")
    logged = [e for e in main.ACTIVITY_LOG if isinstance(e, dict) and e.get("username") == "bob"]
    assert logged == [{"username": "bob", "action": action, "at": clock.now()}], (
        f"after a failed log, the next POST {path} for bob left these entries for bob: {logged}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Declare the body as a model with `username: str = Field(min_length=1, ...)`.")
@pytest.mark.parametrize("body", [{}, {"username": ""}, {"username": "x" * 51}, {"username": None}])
def test_invalid_body_is_422_and_logs_nothing(main, app_client, body):
    client = app_client(main.app)
    for path in PATHS:
        response = client.post(path, json=body)
        assert response.status_code == 422, f"POST {path} {body} answered {said(response)}"
    assert main.ACTIVITY_LOG == [], f"invalid bodies left ACTIVITY_LOG as {main.ACTIVITY_LOG}"


@pytest.mark.task(2)
def test_username_of_50_characters_is_accepted(main, app_client, clock):
    name = "n" * 50
    response = post(app_client(main.app), "/login", name)
    assert response.json() == {"username": name}, f"POST /login answered {response.json()}"


@pytest.mark.task(2)
@pytest.mark.hint(
    "Answer and log the username exactly as it was sent: don't strip or lower-case it "
    "(no str_strip_whitespace, no .strip())."
)
def test_username_is_answered_and_logged_as_sent(main, app_client, clock):
    name = " Ann Lee "
    client = app_client(main.app)
    for path in PATHS:
        response = post(client, path, name)
        assert response.json() == {"username": name}, (
            f"POST {path} {{'username': {name!r}}} answered {response.json()}"
        )
    logged = [entry.get("username") for entry in main.ACTIVITY_LOG]
    assert logged == [name, name], (
        f"after POST /login and /logout for {name!r}, ACTIVITY_LOG holds the usernames {logged}"
    )


# --- Task 3: GET /activity/{username} -------------------------------------------------------


def activity(client, username):
    response = client.get(f"/activity/{username}")
    assert response.status_code == 200, f"GET /activity/{username} answered {said(response)}"
    body = response.json()
    assert isinstance(body, list), f"GET /activity/{username} answered {body}, not a list"
    return body


def summary(body, where):
    rows = []
    for entry in body:
        assert isinstance(entry, dict) and set(entry) == {"username", "action", "at"}, (
            f"{where} holds the entry {entry}, expected the keys username, action and at"
        )
        rows.append((entry["username"], entry["action"], parsed_at(entry, where)))
    return rows


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Keep the entries whose username matches, in the order of ACTIVITY_LOG (it is appended "
    "to, so the oldest comes first), and let FastAPI write `at` as an ISO 8601 string."
)
def test_activity_lists_the_users_entries_oldest_first(main, app_client, clock):
    client = app_client(main.app)
    start = clock.now()
    post(client, "/login", "ann")
    clock.advance(90)
    post(client, "/logout", "ann")
    post(client, "/login", "bob")
    clock.advance(30)
    post(client, "/login", "ann")
    later = timedelta(seconds=90)
    expected_ann = [
        ("ann", "login", start),
        ("ann", "logout", start + later),
        ("ann", "login", start + timedelta(seconds=120)),
    ]
    got_ann = summary(activity(client, "ann"), "GET /activity/ann")
    assert got_ann == expected_ann, f"GET /activity/ann listed {got_ann}, expected {expected_ann}"
    got_bob = summary(activity(client, "bob"), "GET /activity/bob")
    assert got_bob == [("bob", "login", start + later)], (
        f"GET /activity/bob listed {got_bob}, expected only bob's login"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint("Filter ACTIVITY_LOG on the username of the path: never list other users.")
def test_activity_never_lists_another_user(main, app_client):
    client = app_client(main.app)
    post(client, "/login", "ann")
    post(client, "/login", "annie")
    post(client, "/logout", "Ann")
    post(client, "/logout", "bob")
    got = summary(activity(client, "ann"), "GET /activity/ann")
    assert [row[:2] for row in got] == [("ann", "login")], (
        f"GET /activity/ann listed {got}: only ann's own entries belong there (usernames "
        "are compared exactly: Ann and annie are other users)"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep ACTIVITY_LOG's own order: entries written at the same time stay in the order they "
    "were logged, so don't sort them (by time, action or anything else)."
)
def test_activity_keeps_the_logged_order_for_entries_at_the_same_time(main, app_client):
    client = app_client(main.app)
    for path in ("/logout", "/login", "/logout"):
        post(client, path, "ann")
    got = summary(activity(client, "ann"), "GET /activity/ann")
    actions = [row[1] for row in got]
    assert actions == ["logout", "login", "logout"], (
        "ann logged out, in and out again, all at the same clock time; GET /activity/ann "
        f"listed the actions {actions}, expected them in the order they were logged"
    )


@pytest.mark.task(3)
@pytest.mark.hint("A user with no entries is not an error: answer 200 with an empty list.")
def test_unknown_user_has_an_empty_list(main, app_client):
    client = app_client(main.app)
    post(client, "/login", "ann")
    assert activity(client, "zoe") == [], "GET /activity/zoe should be [] when zoe never logged in"
