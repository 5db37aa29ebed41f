"""Hidden tests for 4.2.2.

The app runs on the kit's in-memory database (`db_client`, with `jobs.Base.metadata`) and its
`get_report_builder` is overridden with a FakeBuilder for one test (`overrides`). The worker step
gets sessions from the same database, closed afterwards, so only committed outcomes remain; the
table is always read back through a fresh Session.
"""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.testing import fresh_scalars


class FakeBuilder:
    """Records the payloads it gets; raises `error` if given. `sent` is read when it is called."""

    def __init__(self, error=None, watch=None):
        self.payloads = []
        self.error = error
        self.watch = watch
        self.after_response = []

    def __call__(self, payload):
        self.payloads.append(payload)
        if self.watch is not None:
            self.after_response.append(self.watch.sent)
        if self.error is not None:
            raise self.error


class Crash(BaseException):  # noqa: N818 - stands for the worker process dying
    """Not an Exception: stands for the worker process being killed mid-job."""


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


@pytest.fixture
def jobs(learner):
    return learner.require("jobs", "Base", "Job", "process_pending_jobs")


@pytest.fixture
def main(learner, jobs):
    return learner.require("main", "app", "get_db", "get_report_builder")


@pytest.fixture
def app(main, jobs, db_client, overrides):
    """`app(builder)`: the app on a new database, with `builder` as the report builder."""

    def make(builder):
        overrides(main.app, {main.get_report_builder: lambda: builder})
        return db_client(main, metadata=jobs.Base.metadata)

    return make


@pytest.fixture
def store(jobs, db_engine):
    """`store(*names)`: a new database holding one pending job per name; returns its engine."""

    def make(*names):
        engine = db_engine(jobs.Base.metadata)
        with Session(engine) as session:
            session.add_all(jobs.Job(payload={"name": name}) for name in names)
            session.commit()
        return engine

    return make


def said(response):
    return f"{response.status_code} {response.text[:200]}"


def unordered_selects_reversed(engine):
    """SQLite answers a SELECT without ORDER BY in the order of its table, which here is id
    order too; from now on it answers such a SELECT the other way round, so only an ORDER BY
    gives the order the prompt asks for."""
    with engine.connect() as conn:  # the test database's one connection
        conn.exec_driver_sql("PRAGMA reverse_unordered_selects = ON")


def rows(jobs, engine):
    return fresh_scalars(engine, select(jobs.Job).order_by(jobs.Job.id))


def state(job):
    return {
        "payload": job.payload,
        "status": job.status,
        "attempts": job.attempts,
        "last_error": job.last_error,
    }


def run(jobs, engine, handler):
    """One worker run on a session of its own, closed afterwards."""
    with Session(engine) as session:
        return jobs.process_pending_jobs(session, handler)


class Recorder:
    """A handler that records payloads and raises `failures[n]` on its n-th call (0-based)."""

    def __init__(self, fail=None):
        self.payloads = []
        self.fail = fail or (lambda payload, call: None)

    def __call__(self, payload):
        call = len(self.payloads)
        self.payloads.append(payload)
        error = self.fail(payload, call)
        if error is not None:
            raise error


# --- Task 1: POST /reports with BackgroundTasks ---------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Take `builder: Annotated[Callable, Depends(get_report_builder)]` and "
    "`background_tasks: BackgroundTasks`, then "
    "`background_tasks.add_task(builder, body.model_dump())` and answer 202."
)
def test_report_answers_202_and_the_builder_gets_the_payload(app):
    builder = FakeBuilder()
    response = app(builder).client.post("/reports", json={"name": "sales"})
    assert response.status_code == 202, f"POST /reports answered {said(response)}, expected 202"
    assert response.json() == {"status": "scheduled"}, f"POST /reports answered {response.json()}"
    assert builder.payloads == [{"name": "sales"}], (
        f"the overridden builder got {builder.payloads}, expected [{{'name': 'sales'}}]"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The builder must not be called in the handler: add it to the BackgroundTasks and FastAPI "
    "calls it after the response has been sent."
)
def test_report_is_built_after_the_response_was_sent(main, jobs, db_client, overrides, app_client):
    builder = FakeBuilder()
    watch = ResponseWatch(main.app)
    builder.watch = watch
    overrides(main.app, {main.get_report_builder: lambda: builder})
    db_client(main, metadata=jobs.Base.metadata)
    client = app_client(watch)
    response = client.post("/reports", json={"name": "sales"})
    assert response.status_code == 202, f"POST /reports answered {said(response)}, expected 202"
    assert builder.after_response == [True], (
        "the builder was called before the response had been sent"
        if builder.after_response
        else "the builder was never called"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A background task runs after the client has its answer: its exception cannot change the "
    "202. A 500 means the builder ran inside the request."
)
def test_failing_builder_still_answers_202(app):
    builder = FakeBuilder(error=RuntimeError("the printer is on fire"))
    response = app(builder).client.post("/reports", json={"name": "sales"})
    assert response.status_code == 202 and response.json() == {"status": "scheduled"}, (
        f"with a builder that raises, POST /reports answered {said(response)}, expected 202"
    )
    assert builder.payloads == [{"name": "sales"}], f"the builder got {builder.payloads}"


@pytest.mark.task(1)
def test_every_request_builds_its_own_report(app):
    builder = FakeBuilder()
    client = app(builder).client
    for name in ["sales", "sales", "stock"]:
        client.post("/reports", json={"name": name})
    expected = [{"name": "sales"}, {"name": "sales"}, {"name": "stock"}]
    assert builder.payloads == expected, (
        f"three POST /reports (sales, sales, stock) gave the builder {builder.payloads}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("Declare `name: str = Field(min_length=1, max_length=100)` on the body model.")
@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 101}, {"name": None}])
def test_invalid_report_body_is_422(app, body):
    builder = FakeBuilder()
    response = app(builder).client.post("/reports", json=body)
    assert response.status_code == 422, f"POST /reports {body} answered {said(response)}"
    assert builder.payloads == [], f"POST /reports {body} still ran the builder"


@pytest.mark.task(1)
@pytest.mark.hint("A name may have 1 to 100 characters: `Field(min_length=1, max_length=100)`.")
@pytest.mark.parametrize("name", ["x", "x" * 100])
def test_report_names_of_1_and_100_characters_are_accepted(app, name):
    builder = FakeBuilder()
    response = app(builder).client.post("/reports", json={"name": name})
    assert response.status_code == 202, (
        f"POST /reports with a name of {len(name)} character(s) answered {said(response)}"
    )
    assert builder.payloads == [{"name": name}], (
        f"POST /reports with a name of {len(name)} character(s) built {builder.payloads}"
    )


# --- Task 2: POST /reports/durable ------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Store `Job(payload=body.model_dump())` with the session from Depends(get_db), commit, and "
    'answer `{"job_id": job.id}` with status_code=202. Without the commit the row is gone '
    "when the session closes."
)
def test_durable_report_stores_a_pending_job(app, jobs):
    db = app(FakeBuilder())
    response = db.client.post("/reports/durable", json={"name": "q3"})
    assert response.status_code == 202, (
        f"POST /reports/durable answered {said(response)}, expected 202"
    )
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"job_id"} and type(body["job_id"]) is int, (
        f"POST /reports/durable answered {body}, expected {{'job_id': <int>}}"
    )
    stored = rows(jobs, db.engine)
    assert [job.id for job in stored] == [body["job_id"]], (
        f"after POST /reports/durable answered job_id {body['job_id']}, the jobs table holds "
        f"the ids {[job.id for job in stored]}"
    )
    expected = {"payload": {"name": "q3"}, "status": "pending", "attempts": 0, "last_error": None}
    assert state(stored[0]) == expected, f"the stored job is {state(stored[0])}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The durable endpoint only writes the job down. Don't add the builder to BackgroundTasks "
    "there: running the report is the worker's job."
)
def test_durable_report_does_not_run_the_builder(app):
    builder = FakeBuilder()
    response = app(builder).client.post("/reports/durable", json={"name": "q3"})
    assert response.status_code == 202, f"POST /reports/durable answered {said(response)}"
    assert builder.payloads == [], (
        f"POST /reports/durable ran the builder with {builder.payloads}: the job must wait in "
        "the table for a worker"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Each request adds a new row; never look up or reuse an existing job.")
def test_the_same_body_twice_stores_two_jobs(app, jobs):
    db = app(FakeBuilder())
    first = db.client.post("/reports/durable", json={"name": "q3"})
    second = db.client.post("/reports/durable", json={"name": "q3"})
    assert first.status_code == second.status_code == 202, (
        f"two POST /reports/durable answered {said(first)} and {said(second)}"
    )
    ids = [first.json().get("job_id"), second.json().get("job_id")]
    stored = rows(jobs, db.engine)
    assert ids[0] != ids[1] and sorted(job.id for job in stored) == sorted(ids), (
        f"two POST /reports/durable with the same body answered the job ids {ids}; the table "
        f"holds {[job.id for job in stored]}"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    'Give the columns defaults: `mapped_column(String(20), default="pending")`, '
    "`mapped_column(default=0)`, and a nullable `last_error: Mapped[str | None]`."
)
def test_a_new_job_is_pending_with_no_attempts(jobs, store):
    engine = store("q3")
    stored = rows(jobs, engine)
    expected = {"payload": {"name": "q3"}, "status": "pending", "attempts": 0, "last_error": None}
    assert len(stored) == 1 and state(stored[0]) == expected, (
        f"Job(payload={{'name': 'q3'}}) was stored as {[state(job) for job in stored]}"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 101}])
def test_invalid_durable_body_is_422_and_stores_nothing(app, jobs, body):
    db = app(FakeBuilder())
    response = db.client.post("/reports/durable", json=body)
    assert response.status_code == 422, f"POST /reports/durable {body} answered {said(response)}"
    assert rows(jobs, db.engine) == [], f"POST /reports/durable {body} stored a job"


@pytest.mark.task(2)
@pytest.mark.parametrize("name", ["x", "x" * 100])
def test_durable_names_of_1_and_100_characters_are_stored(app, jobs, name):
    db = app(FakeBuilder())
    response = db.client.post("/reports/durable", json={"name": name})
    assert response.status_code == 202, (
        f"POST /reports/durable with a name of {len(name)} character(s) answered {said(response)}"
    )
    stored = [job.payload for job in rows(jobs, db.engine)]
    assert stored == [{"name": name}], (
        f"POST /reports/durable with a name of {len(name)} character(s) stored {stored}"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "A durable job lives in the database, not in a list in the server's memory: after the "
    "server is gone, a worker started later finds it there as pending."
)
def test_a_durable_job_survives_a_crash_and_a_later_worker_runs_it(app, jobs):
    db = app(FakeBuilder())
    for name in ["q3", "q4"]:
        response = db.client.post("/reports/durable", json={"name": name})
        assert response.status_code == 202, f"POST /reports/durable answered {said(response)}"
    db.client.close()  # the server goes away before anything processed the jobs
    stored = [state(job) for job in rows(jobs, db.engine)]
    assert [(job["payload"], job["status"]) for job in stored] == [
        ({"name": "q3"}, "pending"),
        ({"name": "q4"}, "pending"),
    ], f"after the server stopped, the jobs table holds {stored}"
    handler = Recorder()
    tried = run(jobs, db.engine, handler)
    assert handler.payloads == [{"name": "q3"}, {"name": "q4"}] and tried == 2, (
        f"a worker started afterwards tried {tried} job(s) with the payloads {handler.payloads}"
    )
    statuses = [job.status for job in rows(jobs, db.engine)]
    assert statuses == ["done", "done"], f"after the worker's run, the statuses are {statuses}"


# --- Task 3: process_pending_jobs ------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Select the jobs with status 'pending' ordered by id; for each one add 1 to attempts, call "
    "handler(job.payload), set status 'done', and commit. Return how many you tried."
)
def test_processing_runs_pending_jobs_in_id_order_and_marks_them_done(jobs, store):
    engine = store("a", "b", "c")
    unordered_selects_reversed(engine)
    handler = Recorder()
    tried = run(jobs, engine, handler)
    assert handler.payloads == [{"name": "a"}, {"name": "b"}, {"name": "c"}], (
        f"the handler got {handler.payloads}, expected the three payloads in id order"
    )
    assert tried == 3, f"process_pending_jobs returned {tried!r} after trying 3 jobs"
    got = [(job.status, job.attempts) for job in rows(jobs, engine)]
    assert got == [("done", 1)] * 3, (
        f"after one successful run, the jobs' (status, attempts) are {got} (is it committed?)"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint("Only jobs whose status is 'pending' are tried: filter on it in the query.")
def test_a_second_run_skips_jobs_that_are_done(jobs, store):
    engine = store("a", "b")
    run(jobs, engine, Recorder())
    handler = Recorder()
    tried = run(jobs, engine, handler)
    assert handler.payloads == [] and tried == 0, (
        f"a second run tried {tried!r} job(s) and called the handler with {handler.payloads}: "
        "done jobs must not run again"
    )
    got = [(job.status, job.attempts) for job in rows(jobs, engine)]
    assert got == [("done", 1)] * 2, f"after a second run, (status, attempts) are {got}"


@pytest.mark.task(3)
def test_an_empty_table_returns_zero(jobs, store):
    engine = store()
    tried = run(jobs, engine, Recorder())
    assert tried == 0, f"process_pending_jobs on an empty table returned {tried!r}, expected 0"


def jammed(payload, call):
    return RuntimeError(f"printer jammed ({call + 1})")


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "On an Exception: `job.last_error = str(exc)` and leave the status 'pending' while "
    "attempts < 3, so the next run tries again. Catch `Exception` around the handler call only."
)
def test_a_failing_job_stays_pending_with_its_error_before_three_attempts(jobs, store):
    engine = store("a")
    handler = Recorder(jammed)
    seen = []
    for _ in range(2):
        tried = run(jobs, engine, handler)
        seen.append((tried, state(rows(jobs, engine)[0])))
    expected = [
        (1, {"payload": {"name": "a"}, "status": "pending", "attempts": 1,
             "last_error": "printer jammed (1)"}),
        (1, {"payload": {"name": "a"}, "status": "pending", "attempts": 2,
             "last_error": "printer jammed (2)"}),
    ]  # fmt: skip
    assert seen == expected, (
        "two runs with a handler that raises RuntimeError('printer jammed (n)') returned and "
        f"left: {seen}"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "After the third failed attempt set status = 'failed'. Without a limit a job that can never "
    "succeed is retried forever; with `>` instead of `>=` it gets a fourth attempt."
)
def test_a_job_that_always_fails_is_failed_after_three_attempts(jobs, store):
    engine = store("a")
    handler = Recorder(jammed)
    for _ in range(3):
        run(jobs, engine, handler)
    job = state(rows(jobs, engine)[0])
    assert job == {
        "payload": {"name": "a"},
        "status": "failed",
        "attempts": 3,
        "last_error": "printer jammed (3)",
    }, f"after three runs whose handler always raised, the job is {job}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint("A 'failed' job is final: only 'pending' jobs are selected.")
def test_a_failed_job_is_never_tried_again(jobs, store):
    engine = store("a")
    handler = Recorder(jammed)
    for _ in range(3):
        run(jobs, engine, handler)
    results = [run(jobs, engine, handler) for _ in range(3)]
    assert len(handler.payloads) == 3 and results == [0, 0, 0], (
        f"after its third failure the job was tried again: {len(handler.payloads)} handler "
        f"calls in six runs, the last three runs returned {results}"
    )
    job = state(rows(jobs, engine)[0])
    assert (job["status"], job["attempts"]) == ("failed", 3), f"the job is {job}"


@pytest.mark.task(3)
@pytest.mark.hint("A job that succeeds on its second attempt is done, with attempts 2.")
def test_a_job_that_fails_once_then_succeeds_is_done(jobs, store):
    engine = store("a")
    handler = Recorder(lambda payload, call: RuntimeError("busy") if call == 0 else None)
    results = [run(jobs, engine, handler) for _ in range(3)]
    job = state(rows(jobs, engine)[0])
    assert (job["status"], job["attempts"]) == ("done", 2) and results == [1, 1, 0], (
        f"a handler that failed once then succeeded left the job {job}; the three runs "
        f"returned {results}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Catch the exception per job, inside the loop: one failing job must not stop the others."
)
def test_a_failing_job_does_not_stop_the_run(jobs, store):
    engine = store("bad", "good")
    handler = Recorder(
        lambda payload, call: RuntimeError("bad job") if payload == {"name": "bad"} else None
    )
    tried = run(jobs, engine, handler)
    got = [(job.payload["name"], job.status, job.attempts) for job in rows(jobs, engine)]
    assert got == [("bad", "pending", 1), ("good", "done", 1)] and tried == 2, (
        f"with the first job failing, one run returned {tried!r} and left {got}"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Commit after each job, not once at the end: a worker killed halfway must keep the "
    "outcomes it already had. Catch `Exception`, not `BaseException`, so that a "
    "KeyboardInterrupt or SystemExit still stops the worker."
)
def test_outcomes_before_a_crash_are_kept(jobs, store):
    engine = store("a", "b", "c")
    handler = Recorder(lambda payload, call: Crash() if payload == {"name": "b"} else None)
    try:
        run(jobs, engine, handler)
    except Crash:
        crashed = True
    else:
        crashed = False
    assert crashed, (
        "the handler raised a BaseException that is not an Exception (a crash) and "
        "process_pending_jobs swallowed it; let it propagate"
    )
    got = [(job.payload["name"], job.status) for job in rows(jobs, engine)]
    assert got == [("a", "done"), ("b", "pending"), ("c", "pending")], (
        f"the worker crashed while running job b; the table then held {got}: a's outcome must "
        "have been committed before b started"
    )
