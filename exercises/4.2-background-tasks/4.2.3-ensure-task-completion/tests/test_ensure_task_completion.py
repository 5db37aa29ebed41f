"""Hidden tests for 4.2.3.

Nothing here waits on wall-clock luck. The fake sender stays in flight for a few event-loop turns
and may wait for an asyncio.Event that the test sets (through the TestClient's portal) or that
the Lifecycle wrapper sets when the lifespan's shutdown message arrives. `runner.sleep` is the
kit's fake clock. To know that the jobs posted so far have ended, a test posts a marker e-mail
and waits, inside the event loop, until the (single, in-order) worker calls send for it.

The only wall-clock values are bounds that a correct solution never reaches: SAFETY caps how
long a test waits for something that should happen in a few loop turns, and the stuck sender
gives up after SAFETY so that a runner without a drain timeout fails instead of hanging.
"""

import asyncio
from contextlib import contextmanager, suppress
from types import SimpleNamespace

import httpx
import pytest

SAFETY = 3.0
DRAIN = 3.0  # drain_timeout in the tests whose sends all return (a correct drain takes ms)
MARKER = {"to": "marker@example.com", "subject": "marker", "body": "-"}
ANN = {"to": "ann@example.com", "subject": "Welcome", "body": "Hello Ann"}


def email(n):
    return {"to": f"user{n}@example.com", "subject": f"Invoice {n}", "body": f"Amount: {n}0 EUR"}


def as_call(body):
    return (body["to"], body["subject"], body["body"])


class SendError(Exception):
    pass


class FakeSender:
    """Records (to, subject, body) per call and how many calls are in flight at once.

    `fail(call_number, subject)` says whether a call raises (call_number counts from 1 over the
    non-marker calls); `gate`, an asyncio.Event, holds every non-marker call numbered
    `hold_from` or more until it is set (`held` is set when the first of them reaches it).
    The marker e-mail sets `marker_seen` and never fails."""

    def __init__(self, fail=None, gate=None, hold_from=1):
        self.fail = fail or (lambda number, subject: False)
        self.gate = gate
        self.hold_from = hold_from
        self.calls = []
        self.in_flight = 0
        self.peak = 0
        self.marker_seen = asyncio.Event()
        self.resume = asyncio.Event()  # set when the test's block ends (`running`)
        self.called = asyncio.Event()  # set by the first non-marker call
        self.held = asyncio.Event()  # set by the first call that waits at the gate
        self.while_shutting_down = None  # an async callable run once, after the gate opens

    async def __call__(self, to, subject, body):
        if subject == MARKER["subject"]:
            self.marker_seen.set()
            await self.resume.wait()  # the worker holds here while the test reads the state
            return
        self.calls.append((to, subject, body))
        self.called.set()
        number = len(self.calls)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            if self.gate is not None and number >= self.hold_from:
                self.held.set()
                await self.gate.wait()
            if self.while_shutting_down is not None:
                action, self.while_shutting_down = self.while_shutting_down, None
                await action()
            for _ in range(3):
                await asyncio.sleep(0)
            if self.fail(number, subject):
                raise SendError(f"the mail server refused {subject!r} (call {number})")
        finally:
            self.in_flight -= 1


class Lifecycle:
    """Wraps the app: sets `shutdown_begun` when the lifespan's shutdown message arrives and
    runs `on_complete` hooks (inside the loop) just before the app reports shutdown complete."""

    def __init__(self, app):
        self.app = app
        self.shutdown_begun = asyncio.Event()
        self.on_complete = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def watched_receive():
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                self.shutdown_begun.set()
            return message

        async def watched_send(message):
            if message["type"].startswith("lifespan.shutdown."):
                for hook in self.on_complete:
                    hook()
            await send(message)

        await self.app(scope, watched_receive, watched_send)


CLOCK_JUMP = 1.0  # more than the 0.05 s drain timeout, well within SAFETY


async def past_the_drain_timeout(life):
    """Once shutdown has begun and the event loop has nothing left to run (stop() waits for the
    queue, bounded by its drain timeout), move the loop's clock CLOCK_JUMP seconds ahead: the
    drain timeout expires at once instead of after drain_timeout of real time. Every loop
    deadline moves with it; the stuck send's SAFETY bound keeps SAFETY - CLOCK_JUMP of real
    time, so a runner without a drain timeout still fails, only sooner."""
    await life.shutdown_begun.wait()
    loop = asyncio.get_running_loop()
    quiet = 0
    while quiet < 3:  # as the kit's LoopCalm: three turns in a row with nothing else ready
        await asyncio.sleep(0)
        quiet = 0 if loop._ready else quiet + 1
    real_time = loop.time
    loop.time = lambda: real_time() + CLOCK_JUMP


def learner_tasks(main):
    """The loop's unfinished tasks whose coroutine is defined in main.py."""
    found = []
    for task in asyncio.all_tasks():
        if task.done():
            continue
        code = getattr(task.get_coro(), "cr_code", None)
        if code is not None and code.co_filename == main.__file__:
            found.append(task.get_name() + ": " + code.co_name)
    return found


@pytest.fixture
def outbox(learner, app_client, clock):
    """`outbox(sender, drain_timeout=DRAIN)`: main (imported afresh) with the fakes set, and a
    client on the wrapped app; enter `box.client` to run the lifespan."""
    main = learner.require("main", "app", "runner", fresh=True)

    def make(sender, drain_timeout=DRAIN):
        main.runner.send = sender
        main.runner.sleep = clock.asleep
        main.runner.drain_timeout = drain_timeout
        life = Lifecycle(main.app)
        return SimpleNamespace(main=main, life=life, client=app_client(life), sender=sender)

    return make


def said(response):
    return f"{response.status_code} {response.text[:200]}"


def post(client, body, status=202):
    """POST /emails; a queued e-mail may answer any 2xx here (test 1 checks the 202)."""
    response = client.post("/emails", json=body)
    if status == 202:
        assert response.status_code in (200, 201, 202), (
            f"POST /emails {body} answered {said(response)}, expected 202"
        )
    else:
        assert response.status_code == status, (
            f"POST /emails {body} answered {said(response)}, expected {status}"
        )
        return None
    data = response.json()
    assert isinstance(data, dict) and isinstance(data.get("id"), str), (
        f"POST /emails answered {data}, expected {{'id': <a string>}}"
    )
    return data["id"]


def status_of(client, email_id):
    response = client.get(f"/emails/{email_id}")
    assert response.status_code == 200, f"GET /emails/{email_id} answered {said(response)}"
    data = response.json()
    assert isinstance(data, dict) and data.get("id") == email_id, (
        f"GET /emails/{email_id} answered {data}, expected its id, status and attempts"
    )
    return {"status": data.get("status"), "attempts": data.get("attempts")}


def wait_in_loop(client, event, what):
    """Wait inside the app's event loop until `event` is set."""

    async def wait():
        try:
            await asyncio.wait_for(event.wait(), SAFETY)
        except TimeoutError:
            return False
        return True

    assert client.portal.call(wait), what


def settle(box):
    """Post the marker and wait until the worker sends it: every job before it has ended. A
    sender's gate opens only once the marker is queued, and the worker holds in the marker's
    send until the block of `running` ends: what the test reads is the state at the marker,
    whatever the threads' timing (a job retried behind the marker stays unfinished)."""
    post(box.client, MARKER)
    if box.sender.gate is not None:
        open_gate(box, box.sender.gate)
    wait_in_loop(
        box.client,
        box.sender.marker_seen,
        "an e-mail posted after the others was never handed to send: the worker never got "
        "through the queue (is it started by the lifespan, and does it keep going?)",
    )


def resume(box):
    """Let the worker go on past the marker (see `settle`), before the shutdown drains."""
    held = getattr(box.sender, "resume", None)  # a FakeSender's; other senders hold nothing
    if held is not None:
        box.client.portal.call(held.set)


def open_gate(box, gate):
    box.client.portal.call(gate.set)


@contextmanager
def running(box, shutdown_must_succeed=False):
    """Run the app's lifespan around the block. A failing shutdown fails the Task 3 tests
    (`shutdown_must_succeed`), with a plain message; the others check only what they test."""
    box.client.__enter__()
    try:
        yield
    except BaseException:
        with suppress(Exception):
            resume(box)
            box.client.__exit__(None, None, None)
        raise
    try:
        resume(box)
        box.client.__exit__(None, None, None)
    except Exception as exc:
        if shutdown_must_succeed:
            pytest.fail(f"the app's shutdown raised {type(exc).__name__}: {exc}")


# --- Task 1: queue, worker, status ----------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Give each job a new id (uuid4().hex, or a counter turned into a string), keep it in a "
    "dict of jobs, put the job on the queue and answer 202 {'id': id}."
)
def test_post_answers_202_with_a_new_string_id(outbox):
    box = outbox(FakeSender())
    with running(box):
        response = box.client.post("/emails", json=ANN)
        assert response.status_code == 202, f"POST /emails answered {said(response)}, not 202"
        first = response.json().get("id") if isinstance(response.json(), dict) else None
        assert isinstance(first, str), f"POST /emails answered {response.json()}, no string id"
        second = post(box.client, ANN)
        settle(box)
    assert first != second, f"two POST /emails answered the same id {first!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The worker awaits runner.send(to, subject, body) with the posted values, reading "
    "self.send when it sends (the tests replace it after import)."
)
def test_an_email_is_sent_with_its_fields_and_reported_sent(outbox):
    box = outbox(FakeSender())
    with running(box):
        email_id = post(box.client, ANN)
        settle(box)
        got = status_of(box.client, email_id)
    assert box.sender.calls == [as_call(ANN)], (
        f"send was called with {box.sender.calls}, expected once with {as_call(ANN)}"
    )
    assert got == {"status": "sent", "attempts": 1}, (
        f"GET /emails/<id> of an e-mail sent at the first try answered {got}"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint("A job that has not ended yet (queued, or being sent) has status 'pending'.")
def test_a_job_not_sent_yet_is_pending(outbox):
    gate = asyncio.Event()
    box = outbox(FakeSender(gate=gate))
    with running(box):
        first = post(box.client, email(1))
        second = post(box.client, email(2))
        got = [status_of(box.client, first)["status"], status_of(box.client, second)["status"]]
        settle(box)  # opens the gate once the marker is queued
    assert got == ["pending", "pending"], (
        f"while send was held, GET /emails/<id> gave the statuses {got}, expected pending"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "attempts counts the calls of send, the one in flight included: add 1 to it just before "
    "`await self.send(...)`, not once the call has returned or raised."
)
def test_attempts_counts_the_send_in_flight(outbox):
    gate = asyncio.Event()
    box = outbox(FakeSender(gate=gate))
    with running(box):
        email_id = post(box.client, ANN)
        wait_in_loop(box.client, box.sender.called, "send was never called for a posted e-mail")
        got = status_of(box.client, email_id)  # send is in flight, held by the gate
        settle(box)  # opens the gate once the marker is queued
    assert got == {"status": "pending", "attempts": 1}, (
        "while the first call of send for an e-mail was still in flight, GET /emails/<id> "
        f"answered {got}, expected pending with attempts 1 (send has been called once)"
    )


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "One worker task: `while True: job = await queue.get(); ...; queue.task_done()`. A task "
    "per job (create_task in the handler) sends them all at once and in no set order."
)
def test_emails_are_sent_one_at_a_time_in_order(outbox):
    gate = asyncio.Event()
    box = outbox(FakeSender(gate=gate))
    bodies = [email(n) for n in range(1, 6)]
    with running(box):
        for body in bodies:
            post(box.client, body)
        settle(box)  # opens the gate once the marker is queued
    assert box.sender.calls == [as_call(body) for body in bodies], (
        f"five e-mails were sent as {[call[1] for call in box.sender.calls]}, expected "
        "Invoice 1 to Invoice 5 in the order they were posted"
    )
    assert box.sender.peak == 1, (
        f"{box.sender.peak} send calls were in flight at the same time, expected one at a time"
    )


@pytest.mark.task(1)
@pytest.mark.hint("Look the id up in the jobs you keep and raise HTTPException(404) if absent.")
def test_unknown_id_is_404(outbox):
    box = outbox(FakeSender())
    with running(box):
        post(box.client, ANN)
        for unknown in ["no-such-id", "12345"]:
            response = box.client.get(f"/emails/{unknown}")
            assert response.status_code == 404, (
                f"GET /emails/{unknown} (never issued) answered {said(response)}"
            )


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"to": "", "subject": "Hi", "body": "x"},
        {"to": "ann@example.com", "subject": "", "body": "x"},
        {"to": "ann@example.com", "subject": "Hi"},
    ],
)
def test_invalid_body_is_422_and_sends_nothing(outbox, body):
    box = outbox(FakeSender())
    with running(box):
        post(box.client, body, status=422)
        settle(box)
    assert box.sender.calls == [], (
        f"POST /emails {body} was refused but send got {box.sender.calls}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "runner = TaskRunner() with drain_timeout defaulting to 10 seconds; the tests set their "
    "own value after import, but the app as shipped drains for 10 s."
)
def test_drain_timeout_defaults_to_10_seconds(learner):
    main = learner.require("main", "app", "runner", fresh=True)
    got = getattr(main.runner, "drain_timeout", None)
    assert got == 10, f"runner.drain_timeout is {got!r} right after import, expected 10"


# --- Task 2: retries with backoff ---------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Loop over attempts 1..3: `await self.send(...)` inside try; on success mark 'sent' and "
    "stop; on an Exception try again. Count every call in attempts."
)
def test_a_sender_failing_twice_ends_sent_after_three_attempts(outbox):
    box = outbox(FakeSender(fail=lambda number, subject: number <= 2, gate=asyncio.Event()))
    with running(box):
        email_id = post(box.client, ANN)
        settle(box)
        got = status_of(box.client, email_id)
    assert box.sender.calls == [as_call(ANN)] * 3, (
        f"with send failing twice, it was called {len(box.sender.calls)} time(s), expected 3"
    )
    assert got == {"status": "sent", "attempts": 3}, (
        f"after two failures and a success, GET /emails/<id> answered {got}"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "After a failed attempt n (1 or 2), `await self.sleep(2 ** (n - 1))`: 1 s, then 2 s. Use "
    "runner.sleep, never asyncio.sleep or time.sleep directly, and don't sleep after the last "
    "attempt."
)
def test_retries_wait_1_then_2_seconds_through_runner_sleep(outbox, clock):
    box = outbox(FakeSender(fail=lambda number, subject: number <= 2, gate=asyncio.Event()))
    with running(box):
        post(box.client, ANN)
        settle(box)
    assert clock.sleeps == [1, 2], (
        f"between the three attempts the runner awaited runner.sleep with {clock.sleeps}, "
        "expected [1, 2]"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "After the third failed attempt mark the job 'failed' and move on, without sleeping again."
)
def test_a_sender_that_always_fails_ends_failed(outbox, clock):
    box = outbox(FakeSender(fail=lambda number, subject: True, gate=asyncio.Event()))
    with running(box):
        email_id = post(box.client, ANN)
        settle(box)
        got = status_of(box.client, email_id)
    assert len(box.sender.calls) == 3, (
        f"with send always failing, it was called {len(box.sender.calls)} time(s), expected 3"
    )
    assert got == {"status": "failed", "attempts": 3}, (
        f"after three failed attempts, GET /emails/<id> answered {got}"
    )
    assert clock.sleeps == [1, 2], (
        f"three failed attempts made runner.sleep wait {clock.sleeps}, expected [1, 2]"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A job that is being retried has not ended: leave its status 'pending' (no status of "
    "your own such as 'retrying') until the attempt that succeeds or the third failure."
)
def test_a_job_being_retried_is_still_pending(outbox):
    gate = asyncio.Event()
    box = outbox(FakeSender(fail=lambda number, subject: number == 1, gate=gate, hold_from=2))
    with running(box):
        email_id = post(box.client, ANN)
        wait_in_loop(
            box.client,
            box.sender.held,
            "after a first attempt that raised, send was never called a second time",
        )
        got = status_of(box.client, email_id)  # the second send is in flight, held by the gate
        settle(box)  # opens the gate once the marker is queued
    assert got == {"status": "pending", "attempts": 2}, (
        "the first attempt raised and the second call of send was still in flight: "
        f"GET /emails/<id> answered {got}, expected pending with attempts 2 (the job has not "
        "ended yet)"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Catch the sender's Exception inside the worker's loop, per job: an exception that escapes "
    "ends the worker task, and every later job stays pending forever."
)
def test_a_failed_email_does_not_stop_the_worker(outbox):
    def fail(number, subject):
        return subject == "Invoice 1"

    box = outbox(FakeSender(fail=fail, gate=asyncio.Event()))
    with running(box):
        bad = post(box.client, email(1))
        good = post(box.client, email(2))
        settle(box)
        got = [status_of(box.client, bad), status_of(box.client, good)]
    assert got == [{"status": "failed", "attempts": 3}, {"status": "sent", "attempts": 1}], (
        f"with Invoice 1 always failing, the statuses of Invoice 1 and Invoice 2 are {got}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Retry inside the worker's handling of the job (a loop over the attempts), not by putting "
    "the job back at the end of the queue: the next e-mail waits until this one has ended."
)
def test_a_job_is_finished_with_its_retries_before_the_next_one(outbox):
    failures = {"Invoice 1": 2}  # Invoice 1 fails twice, then goes through

    def fail(number, subject):
        failures[subject] = failures.get(subject, 0) - 1
        return failures[subject] >= 0

    gate = asyncio.Event()
    box = outbox(FakeSender(fail=fail, gate=gate))
    with running(box):
        post(box.client, email(1))
        post(box.client, email(2))
        settle(box)  # both are queued before the first send, the marker after them
    order = [call[1] for call in box.sender.calls]
    assert order == ["Invoice 1", "Invoice 1", "Invoice 1", "Invoice 2"], (
        f"with Invoice 1 failing twice, send was called for {order}: Invoice 1's retries must "
        "come before Invoice 2"
    )


# --- Task 3: graceful shutdown --------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(4)
@pytest.mark.hint(
    "In stop(), before cancelling anything, wait for the queue to be empty: "
    "`async with asyncio.timeout(self.drain_timeout): await self.queue.join()` (the worker "
    "calls task_done() after each job, retries included)."
)
def test_shutdown_sends_every_queued_email_first(outbox):
    sender = FakeSender(fail=lambda number, subject: number == 2)
    box = outbox(sender)
    sender.gate = box.life.shutdown_begun  # nothing can be sent before shutdown begins
    sent_at_completion = []
    box.life.on_complete.append(lambda: sent_at_completion.append(list(sender.calls)))
    bodies = [email(n) for n in range(1, 6)]
    with running(box, shutdown_must_succeed=True):
        for body in bodies:
            post(box.client, body)
    expected = [as_call(body) for body in bodies]
    expected.insert(2, as_call(bodies[1]))  # Invoice 2 fails once and is retried
    assert sent_at_completion and sent_at_completion[0] == expected, (
        "five e-mails were queued and could only be sent once shutdown had begun; when "
        "shutdown completed, send had been called for "
        f"{[call[1] for call in (sent_at_completion or [[]])[0]]}, expected "
        f"{[call[1] for call in expected]}"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "stop() must refuse new jobs first, before it waits for the queue: set a flag that "
    "POST /emails checks (raise HTTPException(503)), then drain."
)
def test_post_is_503_while_shutting_down(outbox):
    sender = FakeSender()
    box = outbox(sender)
    sender.gate = box.life.shutdown_begun
    answers = []

    async def post_during_shutdown():
        for _ in range(3):  # let the lifespan reach runner.stop()
            await asyncio.sleep(0)
        transport = httpx.ASGITransport(app=box.main.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.post("/emails", json=email(9))
        answers.append(response.status_code)

    sender.while_shutting_down = post_during_shutdown
    with running(box, shutdown_must_succeed=True):
        post(box.client, email(1))
    assert answers == [503], (
        f"a POST /emails made while the app was shutting down answered {answers}, expected 503"
    )
    assert [call[1] for call in sender.calls] == ["Invoice 1"], (
        f"send was called for {[call[1] for call in sender.calls]}: an e-mail posted during "
        "shutdown must be refused, not sent"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "After stop() the runner stays closed to new jobs (503), GET still answers, and a second "
    "stop() (the lifespan's) returns without error."
)
def test_after_stop_post_is_503_and_get_still_works(outbox):
    box = outbox(FakeSender())
    with running(box, shutdown_must_succeed=True):
        email_id = post(box.client, ANN)
        settle(box)
        resume(box)  # the worker past the marker: stop() drains an empty queue
        box.client.portal.call(box.main.runner.stop)
        response = box.client.post("/emails", json=email(2))
        got = status_of(box.client, email_id)
        assert response.status_code == 503, (
            f"after `await runner.stop()`, POST /emails answered {said(response)}, expected 503"
        )
        assert got == {"status": "sent", "attempts": 1}, (
            f"after runner.stop(), GET /emails/<id> of a sent e-mail answered {got}"
        )
    # leaving the block ran the lifespan's shutdown, which called stop() a second time


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Bound the drain with `asyncio.timeout(self.drain_timeout)` (real time, not runner.sleep); "
    "when it expires, cancel the worker and `await` it (catching CancelledError)."
)
def test_shutdown_gives_up_after_drain_timeout_and_cancels_the_worker(outbox):
    events = []

    async def stuck_send(to, subject, body):
        if subject == MARKER["subject"]:
            return
        events.append(f"send {subject}")
        if subject != "Invoice 1":
            return
        skip_ahead.append(asyncio.create_task(past_the_drain_timeout(box.life)))
        try:
            await asyncio.wait_for(asyncio.Event().wait(), SAFETY)
        except asyncio.CancelledError:
            events.append("cancelled")
            raise
        except TimeoutError:
            events.append("never cancelled")

    box = outbox(stuck_send, drain_timeout=0.05)
    skip_ahead = []  # the task that moves the clock, kept until the test ends
    box.life.on_complete.append(lambda: events.append("shutdown complete"))
    with running(box, shutdown_must_succeed=True):
        stuck = post(box.client, email(1))
        waiting = post(box.client, email(2))
    assert events == ["send Invoice 1", "cancelled", "shutdown complete"], (
        "send never returned for Invoice 1 and drain_timeout was 0.05 s; what happened: "
        f"{events} (expected the stuck send to be cancelled before shutdown completed, and "
        "Invoice 2 never sent)"
    )
    got = [status_of(box.client, stuck)["status"], status_of(box.client, waiting)["status"]]
    assert got == ["pending", "pending"], (
        f"jobs that had not ended when the drain timed out have the statuses {got}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Once the queue is drained the worker sits in `await queue.get()`: cancel it and await it "
    "before stop() returns, so that nothing of yours is left running."
)
def test_no_task_of_main_is_left_running_after_shutdown(outbox):
    box = outbox(FakeSender())
    left = []
    box.life.on_complete.append(lambda: left.append(learner_tasks(box.main)))
    with running(box, shutdown_must_succeed=True):
        post(box.client, ANN)
        settle(box)
    assert left == [[]], (
        f"when shutdown completed, these tasks of main.py were still running: {left}"
    )
