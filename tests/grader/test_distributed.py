"""`grade worker` and `grade batch --broker` on a real redis-server and PostgreSQL, started on
loopback by these tests, with two worker processes; and the faults a real class meets."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from grader.gradebook import Gradebook
from tests.conftest import FIXTURE_CATALOG
from tests.grader.test_batch import SOLUTION, STARTER, student
from tests.grader.test_gradebook_postgres import postgres_url  # noqa: F401 (a fixture)

SLOW = "import time\ntime.sleep({seconds})\n"  # a submission that takes its time to import
POISON = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.killpg(0, signal.SIGKILL)\n"
ENV = {**os.environ, "GRADE_CATALOG": str(FIXTURE_CATALOG), "PYTHONPATH": os.getcwd()}
runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """A redis-server of the test's own, without persistence, that may be killed and restarted."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.folder = folder
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def redis_server(tmp_path):
    if not shutil.which("redis-server"):
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        pytest.skip("redis-server is not installed")
    server = Redis(tmp_path).start()
    yield server
    server.kill()


class Worker:
    """`grade worker` in a process group of its own, its output in a log file."""

    def __init__(self, broker: str, db: str, log: Path, slot: int, env: dict) -> None:
        self.log = log
        argv = [sys.executable, "-m", "cli.main", "worker", "--broker", broker, "--db", db,
                "--sandbox", "bwrap", "--concurrency", "1", "--first-slot", str(slot),
                "--name", log.stem]  # fmt: skip
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def ready(self, timeout: float = 30) -> Worker:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b"grade worker ready" in self.log.read_bytes():
                return self
            assert self.proc.poll() is None, self.log.read_text()
            time.sleep(0.05)
        raise AssertionError(f"worker not ready: {self.log.read_text()}")

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


@pytest.fixture
def workers(tmp_path, bwrap):
    started: list[Worker] = []

    def start(broker: str, db: str, count: int = 2, env: dict | None = None, wait: bool = True):
        batch = [
            Worker(
                broker, db, tmp_path / f"w{len(started) + i}.log", len(started) + i, env or ENV
            )  # fmt: skip
            for i in range(count)
        ]
        started.extend(batch)
        return [w.ready() for w in batch] if wait else batch

    yield start
    for worker in started:
        worker.kill()


@pytest.fixture
def pg_db(postgres_url, request):  # noqa: F811
    """A fresh database on the test server, for this test alone."""
    from sqlalchemy import create_engine, text

    name = "d_" + request.node.name.lower().replace("[", "_").replace("]", "")[:50]
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"drop database if exists {name}"))
        connection.execute(text(f"create database {name}"))
    engine.dispose()
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


def batch_argv(root: Path, broker: str, db: str, *more: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", "batch", str(root), "--broker", broker,
            "--db", db, "--json", *more]  # fmt: skip


def runs_of(db: str) -> dict[str, int]:
    """student → runs recorded."""
    from sqlalchemy import text

    book = Gradebook(db)
    with book.engine.connect() as connection:
        rows = connection.execute(
            text(
                "select s.name, count(r.id) from students s join submissions b on "
                "b.student_id = s.id join runs r on r.submission_id = b.id group by s.name"
            )
        )
        found = {name: count for name, count in rows}
    book.engine.dispose()
    return found


def write(root: Path, name: str, code: str) -> None:
    folder = root / name / "9.1.1-adder"
    folder.mkdir(parents=True)
    (folder / "calc.py").write_text(code + (SOLUTION / "calc.py").read_text())


def watch_events(broker: str) -> list[str]:
    """The types of Celery events on the broker from now on, as Flower would receive them."""
    import threading

    from grader.distributed.app import make_app

    seen: list[str] = []
    listening = threading.Event()

    def capture() -> None:
        app = make_app(broker)
        with app.connection() as connection:
            receiver = app.events.Receiver(
                connection, handlers={"*": lambda event: seen.append(event["type"])}
            )
            listening.set()
            try:
                receiver.capture(limit=None, timeout=None, wakeup=False)
            except Exception:  # the test's redis-server stopped: so does the watch
                pass

    threading.Thread(target=capture, daemon=True).start()
    listening.wait(10)
    time.sleep(0.2)
    return seen


# ------------------------------------------------------------------ refusing to start


def test_a_worker_refuses_to_start_without_a_sandbox(monkeypatch):
    result = runner.invoke(
        app,
        ["worker", "--broker", "redis://127.0.0.1:1/0", "--db", "sqlite://", "--sandbox", "none"],
    )
    assert result.exit_code == 3
    assert "never grades unsandboxed" in result.output and len(result.output.splitlines()) == 1

    from cli.commands import worker
    from grader.errors import SandboxUnavailable

    def missing(name, slot=0):
        raise SandboxUnavailable("no-sandbox", "no sandbox is available", "Install bubblewrap.")

    monkeypatch.setattr(worker, "get_sandbox", missing)
    result = runner.invoke(
        app, ["worker", "--broker", "redis://127.0.0.1:1/0", "--db", "sqlite://"]
    )
    assert result.exit_code == 3
    assert result.output.strip() == "error: no sandbox is available Install bubblewrap."


def test_an_unreachable_broker_is_one_line_and_exit_2(tmp_path, bwrap):
    (tmp_path / "subs").mkdir()
    broker = f"redis://127.0.0.1:{_free_port()}/0"
    db = f"sqlite:///{tmp_path / 'gb.db'}"
    started = time.monotonic()
    result = runner.invoke(app, ["batch", str(tmp_path / "subs"), "--broker", broker, "--db", db])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: cannot reach the broker at {broker}")
    assert len(result.output.strip().splitlines()) == 1
    assert time.monotonic() - started < 10
    assert not (tmp_path / "gb.db").exists()  # nothing was started
    env = {**ENV, "GRADE_SANDBOX": "bwrap"}
    result = runner.invoke(app, ["worker", "--broker", broker, "--db", db], env=env)
    assert result.exit_code == 2 and "cannot reach the broker" in result.output


# ------------------------------------------------------------------ a class on two workers


def test_a_class_is_graded_by_two_workers_into_postgres(
    tmp_path, redis_server, workers, pg_db, monkeypatch
):
    """Reference, starter, zip and bad input, and a poisoned submission that kills its sandbox:
    the same report as a local batch, everyone recorded once, and a rerun skips them all.
    Workers refuse a batch of another grader version or other hidden suites: nothing recorded."""
    import zipfile

    root = tmp_path / "subs"
    for i in range(2):
        student(root, f"s{i}", [SOLUTION, STARTER][i % 2])
    with zipfile.ZipFile(root / "zipped.zip", "w") as zf:
        zf.write(SOLUTION / "calc.py", "9.1.1-adder/calc.py")
    (root / "corrupt.zip").write_bytes(b"PK\x03\x04 not really")
    write(root, "poisoned", POISON)
    workers(redis_server.url, pg_db, 2)
    events = watch_events(redis_server.url)

    result = subprocess.run(batch_argv(root, redis_server.url, pg_db), env=ENV,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 1, result.stderr  # a problem, as a local batch exits
    report = json.loads(result.stdout)
    states = {s["student"]: (s["state"], s["score"]) for s in report["students"]}
    assert states == {
        "s0": ("graded", 8), "s1": ("graded", 0), "zipped": ("graded", 8),
        "corrupt": ("problem", 0), "poisoned": ("graded", 0),
    }  # fmt: skip
    poisoned = next(s for s in report["students"] if s["student"] == "poisoned")
    assert poisoned["needs_review"] and any("os.kill" in r for r in poisoned["review"])
    assert report["sandbox"] == "bwrap" and report["broker"] == redis_server.url
    assert runs_of(pg_db) == {n: 1 for n in ("s0", "s1", "zipped", "poisoned")}
    wait_for(lambda: events.count("task-succeeded") >= 4, timeout=10, what="task events")
    assert {"task-sent", "task-received", "task-started"} <= set(events)  # what Flower shows

    again = subprocess.run(batch_argv(root, redis_server.url, pg_db), env=ENV,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert again.returncode == 1
    assert json.loads(again.stdout)["counts"] == {"skipped": 4, "problem": 1}
    assert sum(runs_of(pg_db).values()) == 4

    from grader.catalog import Catalog
    from grader.distributed import dispatch

    shutil.rmtree(root)
    student(root, "ada", SOLUTION)
    exercises, book = [Catalog(FIXTURE_CATALOG).get("9.1.1")], Gradebook(pg_db)
    monkeypatch.setattr(dispatch, "__version__", "9.9.9")
    (ada,) = dispatch.grade_batch_on_broker(root, exercises, book, redis_server.url).students
    assert ada.state == "error"
    assert ada.message == (
        "refused by the worker: grader version differs: the batch runs 9.9.9, this worker "
        "0.1.0; run the same grader version on every machine"
    )
    monkeypatch.undo()
    monkeypatch.setattr(dispatch, "selection_hash", lambda exercises: "0" * 20)
    (ada,) = dispatch.grade_batch_on_broker(root, exercises, book, redis_server.url).students
    assert ada.state == "error" and "hidden suites differ: the batch's hash is 0000" in ada.message
    assert "ada" not in runs_of(pg_db)

    import redis  # a task that lost its worker three times is not tried a fourth time

    monkeypatch.undo()
    redis.Redis(port=redis_server.port).set("grade-deliveries-doomed", 3)
    monkeypatch.setattr(dispatch.uuid, "uuid4", lambda: "doomed")
    (ada,) = dispatch.grade_batch_on_broker(root, exercises, book, redis_server.url).students
    assert ada.state == "error" and "worker was lost each of the last 3 times" in ada.message
    assert "ada" not in runs_of(pg_db)


# ------------------------------------------------------------------ faults


def wait_for(condition, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or condition}")


def started_tasks(server: Redis) -> int:
    import redis

    client = redis.Redis(port=server.port)
    metas = [client.get(key) for key in client.scan_iter("celery-task-meta-*")]
    return sum(json.loads(m)["status"] == "STARTED" for m in metas if m)


def recorded(db: str) -> int:
    try:
        return sum(runs_of(db).values())
    except Exception:  # the gradebook is being created
        return 0


def test_a_worker_killed_mid_task_hands_it_to_another(tmp_path, redis_server, workers):
    """SIGKILL the worker grading a student: late acknowledgement gives the task to another
    worker once the visibility timeout passes, and the student is recorded once."""
    root = tmp_path / "subs"
    write(root, "slow", SLOW.format(seconds=1.5))
    db = f"sqlite:///{tmp_path / 'gb.db'}"
    env = {**ENV, "GRADE_VISIBILITY_TIMEOUT": "2"}
    (first,) = workers(redis_server.url, db, 1, env=env)
    batch = subprocess.Popen(batch_argv(root, redis_server.url, db), env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    wait_for(lambda: started_tasks(redis_server) == 1, what="the first worker to start")
    first.kill()
    workers(redis_server.url, db, 1, env=env)
    out, err = batch.communicate(timeout=60)
    assert batch.returncode == 0, err
    (slow,) = json.loads(out)["students"]
    assert (slow["state"], slow["score"]) == ("graded", 8)
    assert runs_of(db) == {"slow": 1}


def test_a_lost_broker_stops_the_batch_and_a_rerun_resumes(tmp_path, redis_server, workers):
    root = tmp_path / "subs"
    names = [f"s{i}" for i in range(4)]
    for name in names:
        write(root, name, SLOW.format(seconds=0.5))
    db = f"sqlite:///{tmp_path / 'gb.db'}"
    first = workers(redis_server.url, db, 2)
    batch = subprocess.Popen(batch_argv(root, redis_server.url, db), env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    wait_for(lambda: recorded(db) >= 1, what="a first student")
    redis_server.kill()
    out, err = batch.communicate(timeout=60)
    assert batch.returncode == 1, err
    report = json.loads(out)
    assert report["broker_lost"].startswith(f"lost the broker at {redis_server.url}")
    assert "run the batch again" in report["broker_lost"] and not report["ok"]
    lost = [s for s in report["students"] if s["state"] == "error"]
    assert lost and all("the broker was lost" in s["message"] for s in lost)
    assert len(report["students"]) == 4

    for worker in first:
        worker.kill()
    saved = runs_of(db)
    redis_server.start()
    workers(redis_server.url, db, 1)
    again = subprocess.run(batch_argv(root, redis_server.url, db), env=ENV,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert again.returncode == 0, again.stderr
    counts = json.loads(again.stdout)["counts"]
    assert counts == {"skipped": len(saved), "graded": 4 - len(saved)}
    assert runs_of(db) == {name: 1 for name in names}
    from grader.batch_progress import batches  # what the course server's live view showed

    rerun, cut_short = batches(Gradebook(db))
    assert cut_short.state == "interrupted" and cut_short.expected == 4
    assert (rerun.state, rerun.done, rerun.expected) == ("finished", 4, 4)


def test_ctrl_c_stops_enqueuing_and_says_what_was_saved(tmp_path, redis_server, workers):
    root = tmp_path / "subs"
    for i in range(6):
        write(root, f"s{i}", SLOW.format(seconds=0.5))
    db = f"sqlite:///{tmp_path / 'gb.db'}"
    workers(redis_server.url, db, 1)
    argv = batch_argv(root, redis_server.url, db)[:-1]  # the teacher's view, not --json
    batch = subprocess.Popen(argv, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)  # fmt: skip
    wait_for(lambda: recorded(db) >= 1, what="a first student")
    batch.send_signal(signal.SIGINT)
    out, err = batch.communicate(timeout=30)
    assert batch.returncode == 130, err
    err = " ".join(err.split())  # as the terminal wrapped it
    assert "interrupted:" in err and "Run the batch again to resume" in err
    # What the batch had heard back when Ctrl-C came (the student the test saw in the gradebook
    # may not have reached it yet): at most what is recorded, and the rest withdrawn.
    said = int(err.split("interrupted:")[1].split()[0])
    assert "withdrawn" in err
    assert "interrupted" in out  # the students left have a row saying so
    time.sleep(1.5)  # a student being graded at Ctrl-C may still be saved; the rest are not
    assert said <= recorded(db) <= said + 2 < 6


# ------------------------------------------------------------------ without a broker


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_student_is_recorded_once_whoever_finishes(tmp_path, backend, request):
    """Two deliveries of one task finishing together: one run; a regrade records once more."""
    from concurrent.futures import ThreadPoolExecutor

    from grader.distributed.once import AlreadyRecorded, RecordOnce, newest_run
    from tests.conftest import adder_result

    db = (
        f"sqlite:///{tmp_path / 'gb.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("pg_db")
    )
    book = Gradebook(db)
    meta = {"version": "0.1.0", "sandbox": "bwrap", "image_digest": None, "duration": 1.0}

    def deliver(after: int) -> str:
        try:
            RecordOnce(book, after).record(
                "Ada", "h1", "/s/Ada", "suite", [adder_result(8)], **meta
            )
            return "recorded"
        except AlreadyRecorded:
            return "dropped"

    def together(after: int) -> list[str]:
        with ThreadPoolExecutor(4) as pool:
            return sorted(pool.map(deliver, [after] * 4))

    assert together(0) == ["dropped"] * 3 + ["recorded"]
    assert together(0) == ["dropped"] * 4  # a rerun finds the first run
    assert runs_of(db) == {"Ada": 1}
    assert together(newest_run(book)) == ["dropped"] * 3 + ["recorded"]  # --regrade
    assert runs_of(db) == {"Ada": 2}


def test_a_worker_trusts_nothing_in_a_task(tmp_path, catalog):
    """A task's files go through the same checks as a teacher's zip, and must hash as the
    batch said; a refused task records nothing."""
    import base64
    import io
    import zipfile

    from grader.batch import selection_hash
    from grader.distributed.tasks import Refused, Setup, grade_payload

    exercises = [catalog.get("9.1.1")]
    setup = Setup(f"sqlite:///{tmp_path / 'gb.db'}", "bwrap", catalog)

    def payload(files: dict[str, str], content_hash: str = "x") -> dict:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, text in files.items():
                archive.writestr(name, text)
        return {
            "student": "mallory", "source": "/s/mallory", "content_hash": content_hash,
            "selection": ["9.1.1"], "suites": selection_hash(exercises), "version": "0.1.0",
            "files": base64.b64encode(buffer.getvalue()).decode(),
        }  # fmt: skip

    with pytest.raises(Refused, match="points outside the archive"):
        grade_payload(payload({"../../escape.py": "x = 1"}), setup)
    with pytest.raises(Refused, match="differ from those the batch checked"):
        grade_payload(payload({"9.1.1-adder/calc.py": "x = 1"}, content_hash="forged"), setup)
    with pytest.raises(Refused, match="no exercise folder of the selection"):
        grade_payload(payload({"notes.txt": "x"}), setup)
    assert not (tmp_path.parent / "escape.py").exists()
    assert runs_of(setup.db) == {}


def test_a_batch_without_workers_says_so_and_ctrl_c_withdraws_its_tasks(tmp_path, redis_server):
    import redis

    root = tmp_path / "subs"
    for name in ("ada", "bob"):
        student(root, name, SOLUTION)
    db = f"sqlite:///{tmp_path / 'gb.db'}"
    log = tmp_path / "batch.err"
    with open(log, "w") as err:
        batch = subprocess.Popen(batch_argv(root, redis_server.url, db), env=ENV,
                                 stdout=subprocess.PIPE, stderr=err, text=True)  # fmt: skip
        queue = redis.Redis(port=redis_server.port)
        wait_for(lambda: queue.llen("grade") == 2, timeout=30, what="both tasks queued")
        batch.send_signal(signal.SIGINT)
        out, _ = batch.communicate(timeout=30)
    assert batch.returncode == 130
    report = json.loads(out)
    assert any("no worker answers" in w for w in report["warnings"])  # in the JSON, not lost
    assert report["interrupted"] and report["withdrawn"] == 2 and not report["ok"]
    assert {s["state"] for s in report["students"]} == {"interrupted"}
    assert recorded(db) == 0
