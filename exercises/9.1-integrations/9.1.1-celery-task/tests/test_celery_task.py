import json
import uuid

import pytest
from celery import Celery, Task
from celery.result import AsyncResult

EAGER = {
    "task_always_eager": True,
    "task_store_eager_result": True,
    "broker_url": "memory://",
    "result_backend": "cache+memory://",
}
REPORT_1 = {"user_id": 1, "orders": 2, "total": 35}


def import_fresh(learner):
    """Re-import the learner's modules: a new celery_app (and a new app) for every test."""
    main = learner.require("main", "app", fresh=True)
    worker = learner.require("worker", "celery_app", "generate_report")
    return main, worker


@pytest.fixture
def env(monkeypatch):
    monkeypatch.delenv("REPORTS_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    return monkeypatch


class Spy:
    """Wraps the task's apply_async (which .delay() goes through) and records every call."""

    def __init__(self, task):
        self.calls: list[tuple[list, dict, str]] = []
        real = task.apply_async

        def apply_async(args=None, kwargs=None, **options):
            result = real(args, kwargs, **options)
            self.calls.append((list(args or ()), dict(kwargs or {}), result.id))
            return result

        task.apply_async = apply_async

    @property
    def ids(self) -> list[str]:
        return [task_id for _, _, task_id in self.calls]


@pytest.fixture
def setup(learner, env, app_client):
    def make(eager=True):
        main, worker = import_fresh(learner)
        settings = dict(EAGER, task_always_eager=eager)
        worker.celery_app.conf.update(settings)
        spy = Spy(worker.generate_report)
        return main, worker, spy, app_client(main.app)

    return make


def post(client, payload):
    response = client.post("/reports", json=payload)
    assert response.status_code == 202, (
        f"POST /reports {payload} answered {response.status_code}: {response.text[:200]}"
    )
    task_id = response.json().get("task_id") if isinstance(response.json(), dict) else None
    assert isinstance(task_id, str), f"POST /reports {payload} answered {response.json()!r}"
    return task_id


def get_status(client, task_id):
    response = client.get(f"/reports/{task_id}")
    assert response.status_code == 200, (
        f"GET /reports/{task_id} answered {response.status_code}: {response.text[:200]}"
    )
    body = response.json()
    assert isinstance(body, dict), f"GET /reports/{task_id} answered {body!r}"
    return body


# --- Task 1: the app and the task ----------------------------------------------------------


@pytest.mark.task(1)
def test_app_uses_memory_broker_and_cache_backend_by_default(learner, env):
    _, worker = import_fresh(learner)
    app = worker.celery_app
    assert isinstance(app, Celery), f"celery_app is a {type(app).__name__}, not a Celery app"
    assert app.conf.broker_url == "memory://", (
        f"without REPORTS_BROKER_URL, the broker URL is {app.conf.broker_url!r}"
    )
    assert app.conf.result_backend == "cache+memory://", (
        f"the result backend is {app.conf.result_backend!r}"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    'Read the variable when worker.py is imported: `os.environ.get("REPORTS_BROKER_URL", '
    '"memory://")` passed as `broker=`.'
)
def test_broker_url_comes_from_the_environment(learner, env):
    env.setenv("REPORTS_BROKER_URL", "redis://broker.internal:6379/3")
    _, worker = import_fresh(learner)
    assert worker.celery_app.conf.broker_url == "redis://broker.internal:6379/3", (
        "with REPORTS_BROKER_URL=redis://broker.internal:6379/3, the broker URL is "
        f"{worker.celery_app.conf.broker_url!r}"
    )


@pytest.mark.task(1)
@pytest.mark.hint("Decorate the function with `@celery_app.task`.")
def test_generate_report_is_a_task_of_celery_app(learner, env):
    _, worker = import_fresh(learner)
    task = worker.generate_report
    assert isinstance(task, Task), f"generate_report is a {type(task).__name__}, not a Celery task"
    assert task.name in worker.celery_app.tasks, f"celery_app does not know the task {task.name!r}"


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("user_id", "report"),
    [(1, REPORT_1), (3, {"user_id": 3, "orders": 0, "total": 0})],
)
def test_report_of_a_known_user(learner, env, user_id, report):
    _, worker = import_fresh(learner)
    got = worker.generate_report(user_id)
    assert got == report, f"generate_report({user_id}) returned {got!r}"


@pytest.mark.task(1)
def test_unknown_user_raises_lookup_error(learner, env):
    _, worker = import_fresh(learner)
    with pytest.raises(LookupError, match="no orders on record for user 99"):
        worker.generate_report(99)
        pytest.fail("generate_report(99) raised nothing")


# --- Task 2: POST /reports -----------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`result = generate_report.delay(payload.user_id)`, then answer `{"task_id": result.id}` '
    "with status_code=202."
)
def test_post_queues_the_task_and_answers_its_id(setup):
    _, _, spy, client = setup()
    task_id = post(client, {"user_id": 1})
    assert len(spy.calls) == 1, (
        f"POST /reports queued the task {len(spy.calls)} times through delay/apply_async"
    )
    assert task_id == spy.ids[0], (
        f"POST /reports answered the task id {task_id!r}, but the queued task's id is "
        f"{spy.ids[0]!r}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Pass the plain int: `generate_report.delay(payload.user_id)`.")
def test_the_task_gets_the_user_id_as_json(setup):
    _, _, spy, client = setup()
    post(client, {"user_id": 7})
    assert spy.calls, "POST /reports never called delay/apply_async on generate_report"
    args, kwargs, _ = spy.calls[0]
    try:
        json.dumps([args, kwargs])
    except TypeError as exc:
        pytest.fail(f"the task's arguments {args!r} {kwargs!r} are not JSON: {exc}")
    passed = args[0] if args else kwargs.get("user_id")
    assert (args, kwargs) in (([7], {}), ([], {"user_id": 7})) and type(passed) is int, (
        f"POST /reports {{'user_id': 7}} queued the task with args={args!r} kwargs={kwargs!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Only queue the task: no plain call `generate_report(...)` in the endpoint, and no "
    "`.get()` on the result. Without a worker, the answer still comes at once."
)
def test_post_neither_runs_nor_waits_for_the_task(setup, env):
    def waited(*args, **kwargs):
        raise RuntimeError("POST /reports waited for the task's result")

    env.setattr(AsyncResult, "get", waited)
    env.setattr(AsyncResult, "wait", waited)
    _, _, spy, client = setup(eager=False)
    # User 99 makes the task raise: a request that ran it itself would fail.
    task_id = post(client, {"user_id": 99})
    assert spy.ids == [task_id], (
        f"POST /reports answered {task_id!r}; the tasks queued through delay/apply_async "
        f"were {spy.ids!r}"
    )
    body = get_status(client, task_id)
    assert body.get("status") == "PENDING", (
        f"with no worker running, GET /reports/{{id}} of the queued task answered {body!r}"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("payload", [{}, {"user_id": "abc"}])
def test_post_without_an_integer_user_id_is_422(setup, payload):
    _, _, spy, client = setup()
    response = client.post("/reports", json=payload)
    assert response.status_code == 422, f"POST /reports {payload} answered {response.status_code}"
    assert not spy.calls, f"POST /reports {payload} still queued the task"


# --- Task 3: GET /reports/{task_id} --------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_finished_task_shows_success_and_its_result(setup):
    _, _, _, client = setup()
    task_id = post(client, {"user_id": 1})
    body = get_status(client, task_id)
    assert body.get("task_id") == task_id and body.get("status") == "SUCCESS", (
        f"GET /reports/{task_id} after the task ran answered {body!r}"
    )
    assert body.get("result") == REPORT_1, f"GET /reports/{task_id} answered {body!r}"
    assert "error" not in body, f"a successful task's status carries an error: {body!r}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "On FAILURE, `result.result` is the exception the task raised: answer "
    '`"error": str(result.result)`.'
)
def test_failed_task_shows_failure_and_its_message(setup):
    _, _, _, client = setup()
    task_id = post(client, {"user_id": 99})
    body = get_status(client, task_id)
    assert body.get("task_id") == task_id and body.get("status") == "FAILURE", (
        f"GET /reports/{task_id} after the task raised answered {body!r}"
    )
    error = body.get("error")
    assert isinstance(error, str) and "no orders on record for user 99" in error, (
        f"GET /reports/{task_id} of the failed task answered {body!r}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Ask the result backend, not a dict of your own: `celery_app.AsyncResult(task_id)` sees "
    "what any worker stored."
)
def test_states_are_read_from_the_result_backend(setup):
    _, worker, _, client = setup()
    backend = worker.celery_app.backend
    done, failed = str(uuid.uuid4()), str(uuid.uuid4())
    backend.store_result(done, {"user_id": 2, "orders": 1, "total": 5}, "SUCCESS")
    backend.mark_as_failure(failed, LookupError("no orders on record for user 404"))
    body = get_status(client, done)
    assert body.get("status") == "SUCCESS", (
        f"a worker stored SUCCESS for {done}, but GET /reports/{done} answered {body!r}"
    )
    assert body.get("result") == {"user_id": 2, "orders": 1, "total": 5}, (
        f"GET /reports/{done} answered {body!r}"
    )
    body = get_status(client, failed)
    assert body.get("status") == "FAILURE" and "user 404" in str(body.get("error")), (
        f"a worker stored a failure for {failed}, but GET /reports/{failed} answered {body!r}"
    )


@pytest.mark.task(3)
def test_unknown_task_id_is_pending(setup):
    _, _, _, client = setup()
    task_id = str(uuid.uuid4())
    body = get_status(client, task_id)
    assert body == {"task_id": task_id, "status": "PENDING"}, (
        f"GET /reports/{task_id} (never queued) answered {body!r}"
    )
