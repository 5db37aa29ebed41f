"""The warm parent that runs inside the sandbox (stdlib only at import time).

It imports FastAPI, SQLAlchemy, Pydantic and pytest once, then forks one child per unit (an
exercise with one submission) so that every exercise starts from a clean, already-warm
interpreter: ~0.15 s per exercise instead of ~1 s for a fresh pytest process. The parent never
runs learner code. It enforces the per-unit timeout, reaps crashes, and writes one frame per unit
to its stdout, prefixed with a nonce it read from stdin and that the children erase, so that
output a learner prints cannot pass for a result.

Out of the learner's reach: the sandbox starts the parent as pid 1 of its own pid namespace, and
the kernel drops SIGSTOP and SIGKILL sent to a namespace's init from inside it; it is not
dumpable either, so no process inside can read its memory or open its descriptors through
/proc. An exercise's processes are all gone before it is reported: the parent and each child are
subreapers, so a daemon that called setsid and forked again still ends up under one of them, and
every process no running exercise owns is killed. Each exercise works in a scratch slot of its
own (a size-capped tmpfs where the sandbox mounts one), emptied when it ends; anything it left
elsewhere in /tmp is removed before another exercise starts.

Evidence against forgery (the learner's code shares the child's process, so it can't be
prevented): every record the child writes carries a sequence number and an HMAC under a key
the parent made for that child, so lines the learner's code writes to the pipe itself are
dropped and counted; the last record adds pytest's own tally and a check of the reporting path
(the reporter, pytest's and the grader's functions, the registered hooks: `grader.integrity`),
which the host compares with the records. Each submission is also scanned (`grader.scan`).

Usage: python sandbox_runner.py JOB_DIR [MODULE ...]   (nonce on stdin once the job is staged,
frames on stdout; the modules are imported while the host stages)
       python sandbox_runner.py JOB_DIR --serve [MODULE ...]   (`nonce run` lines on stdin, one
per run staged in JOB_DIR/runs/run; see grader.sandbox.warm)
"""

from __future__ import annotations

import ctypes
import gc
import hmac
import json
import os
import re
import resource
import selectors
import shutil
import signal
import stat
import sys
import time
import types

from grader.contract import (
    BROKEN_KEY,
    FRAME_TAG,
    MANIFEST_FILE,
    RAISED_KEY,
    STARTED,
    TRACE_KEY,
    Manifest,
    UnitFrame,
)
from grader.integrity import Snapshot, foreign_hooks, tally, under
from grader.warm_libraries import email_validator_version_once, endpoint_context_from_code
from grader.warm_pytest import prepared_config, pytest_args, reuse_config

SCRATCH = os.environ.get("TMPDIR", "/tmp")
MAX_RECORD_BYTES = 1 << 20
MAX_RECORDS = 5000  # per unit: far beyond any hidden suite
MAX_MESSAGE = 500
LEARNER_LINE = 160  # what may show of a message the learner's code controls
NO_CERTIFICATES = "/nonexistent/no-certificates-offline"
SWEEP_SECONDS = 0.5  # how often orphaned processes are looked for while exercises run
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
LEARNER_ERROR = "grader.pytest_plugin.LearnerCodeError: "
PRELOAD = (
    "pydantic",
    "fastapi",
    "fastapi.testclient",
    "starlette.testclient",  # its client is httpx2; httpx itself is preloaded on demand
    "anyio",
    "anyio.pytest_plugin",
    "pytest",
    "grader.pytest_plugin",
    # what pytest.main and FastAPI import lazily on first use
    "_pytest.helpconfig",
    "_pytest.skipping",
    "_pytest.threadexception",
    "_pytest.tracemalloc",
    "_pytest.unittest",
    "_pytest.unraisableexception",
    "_pytest.warnings",
    "pdb",
    "readline",  # pytest's capture plugin imports it as each child starts (~1.6 ms)
    "difflib",
    "unittest",
    "fastapi.security",
    "fastapi.responses",
    "fastapi.encoders",
    "fastapi.openapi.utils",
    "email_validator",
    # FastAPI asks, of every parameter and response model of every route, whether it is a
    # pydantic v1 model: the first route of each child imported pydantic.v1 (~15 ms)
    "pydantic.v1",
)
# Taken before any learner code runs: the reporter writes through these, whatever is patched.
_os_write = os.write
_exit_child = os._exit
_dumps = json.dumps
_hmac_new = hmac.new


def _prctl(option: int, value: int) -> bool:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def read_nonce() -> bytearray:
    nonce = bytearray(64)
    size = os.readv(0, [nonce])
    del nonce[size:]
    while nonce and nonce[-1:] in (b"\n", b"\r"):
        del nonce[-1:]
    return nonce


def make_undumpable() -> None:
    """Children share our uid; this keeps them out of /proc/<parent>/mem and /proc/<parent>/fd."""
    _prctl(PR_SET_DUMPABLE, 0)


def preload(extra: list[str]) -> None:
    """Import the libraries every child would import, so that each forks with them warm. Called
    twice: with the exercises' libraries while the host still stages the job, then with the
    manifest's (those the submissions import too); a module imported already costs nothing."""
    import importlib
    import warnings

    # httpx's command-line client (rich, click, pygments: ~75 ms) is imported with httpx when
    # installed, and never used here: absent, httpx falls back as it does without its extras.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[assignment]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in (*PRELOAD, *extra):
            try:
                importlib.import_module(name)
            except Exception:
                pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[_os_write(fd, view) :]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- child side


def tampering(session, reporter: Reporter) -> list[str]:  # noqa: ANN001
    """What changed on the way from pytest's reports to the result pipe."""
    problems = []
    if type(reporter) is not _REPORTER or set(vars(reporter)) != REPORTER_FIELDS:
        extra = sorted(set(vars(reporter)) - REPORTER_FIELDS)
        problems.append(f"the grader's reporter was altered ({', '.join(extra) or 'its type'})")
    replaced = [name for name, f in _REPORTER_METHODS.items() if vars(_REPORTER).get(name) is not f]
    if replaced:
        problems.append(f"the grader's reporter's {', '.join(replaced)} were replaced")
    changed = reporter.snapshot.changes() if reporter.snapshot else []
    if changed:
        shown = ", ".join(changed[:4]) + (f" and {len(changed) - 4} more" if changed[4:] else "")
        problems.append(f"pytest's or the grader's code was rewritten while it ran: {shown}")
    hooks = foreign_hooks(session.config.pluginmanager, reporter.hooks)
    if hooks:
        problems.append(f"pytest hooks from outside the grader ran: {', '.join(hooks[:4])}")
    if not session.config.pluginmanager.is_registered(reporter):
        problems.append("the grader's reporter was unregistered")
    return problems


class Reporter:
    """A pytest plugin writing one authenticated JSON line per test report to the result pipe."""

    def __init__(
        self,
        fd: int,
        key: bytes,
        hooks: tuple[str, ...],
        authors: tuple[str, ...],
    ) -> None:
        self.fd = fd
        self.key = key
        self.seq = 0
        self.seen = 0  # test reports received, compared with pytest's own count
        self.snapshot: Snapshot | None = None  # taken once collected, before any test runs
        self.hooks = hooks  # folders whose code may implement pytest hooks
        self.authors = authors  # folders whose messages are the grader's or the tests' words

    def _write(self, record: dict) -> None:
        body = _dumps({"seq": self.seq, **record}).encode()
        self.seq += 1
        mac = _hmac_new(self.key, body, "sha256").hexdigest()[:32].encode()
        _write_all(self.fd, mac + b" " + body + b"\n")

    def pytest_collection_finish(self, session) -> None:  # noqa: ANN001 - pytest hook
        # pytest has configured itself (it adds members to its own classes as it does); the
        # hidden tests are imported; no learner code has run yet.
        self.snapshot = Snapshot()

    def pytest_runtest_logstart(self, nodeid, location) -> None:  # noqa: ANN001 - pytest hook
        # if the exercise runs out of time, the last test started is the one that hung
        self._write({"id": nodeid, "outcome": STARTED})

    def pytest_runtest_logreport(self, report) -> None:  # noqa: ANN001 - pytest hook
        self.seen += 1
        if report.when == "call":
            outcome = "passed" if report.passed else "skipped" if report.skipped else "failed"
        elif report.passed:
            return
        else:
            outcome = "skipped" if report.skipped else "error"
        message = short_message(report, self.authors)
        record = {"id": report.nodeid, "outcome": outcome, "message": message}
        learner_trace = getattr(report, "learner_trace", None)
        if outcome != "passed" and isinstance(learner_trace, dict):
            keys = (TRACE_KEY, RAISED_KEY, BROKEN_KEY)
            record.update({k: str(learner_trace[k]) for k in keys if k in learner_trace})
        self._write(record)

    def pytest_collectreport(self, report) -> None:  # noqa: ANN001 - pytest hook
        if report.failed:
            message = short_message(report, self.authors)
            self._write({"collect_error": str(report.fspath), "message": message})

    def pytest_sessionfinish(self, session, exitstatus) -> None:  # noqa: ANN001 - pytest hook
        try:
            summary = tally(session, exitstatus)
            problems = tampering(session, self)
            if summary["reports"] != self.seen:
                seen, counted = self.seen, summary["reports"]
                problems.append(f"the grader's reporter saw {seen} test reports, pytest {counted}")
        except Exception as exc:  # pytest's own state was broken: that is evidence too
            summary, problems = {}, [f"pytest's own tally could not be read ({type(exc).__name__})"]
        self._write({"done": True, "summary": summary, "tampering": problems})
        # Nothing after this record counts: pytest's summary would go to /dev/null and its
        # unconfiguring is undone by the exit anyway (~4 ms of each child).
        _exit_child(0)


_REPORTER = Reporter
_REPORTER_METHODS = {k: v for k, v in vars(Reporter).items() if isinstance(v, types.FunctionType)}
REPORTER_FIELDS = {"fd", "key", "seq", "seen", "snapshot", "hooks", "authors"}


def short_message(report, authors: tuple[str, ...] = ()) -> str:  # noqa: ANN001
    """The exception line(s) of a failure, never the test's source.

    A message raised from the hidden tests or the grader's kit (an assertion's own words) keeps
    up to four lines; one raised anywhere else carries text the learner's code controls (it may
    have read the hidden tests), so only a short first line of it is kept."""
    longrepr = getattr(report, "longrepr", None)
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        text, path = str(crash.message), str(crash.path)
    elif isinstance(longrepr, tuple):  # skipped: (file, line, reason)
        text, path = str(longrepr[2]), str(longrepr[0])
    else:
        text = (str(longrepr or "").strip().splitlines()[-1:] or [""])[0]
        path = ""
    authored = under(path, authors) and not text.startswith(LEARNER_ERROR)
    for prefix in (LEARNER_ERROR, "AssertionError: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    lines = [line for line in text.splitlines() if line.strip()]
    if not authored:
        return _clip(lines[0], LEARNER_LINE) if lines else ""
    if lines and not lines[0].startswith("assert "):
        # a test's own message, then pytest's rewritten "assert ..." detail: keep the message
        cut = next((i for i, line in enumerate(lines) if line.startswith("assert ")), len(lines))
        lines = lines[:cut]
    elif lines:
        lines = lines[:1]  # "assert 404 == 200" without the "+ where" lines
    return _clip("\n".join(_clip(line, 200) for line in lines[:4]), MAX_MESSAGE)


def _why(exc: BaseException) -> str:
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list):
        reasons = [str(item[-1]) for item in exc.args[0] if isinstance(item, tuple)]
        return reasons[0] if reasons else "copy failed"
    return getattr(exc, "strerror", None) or type(exc).__name__


def run_child(
    unit: dict, job_dir: str, slot: str, result_fd: int, nonce: bytearray, key: bytes, parent
) -> None:  # noqa: ANN001
    for i in range(len(nonce)):
        nonce[i] = 0
    # The other exercises' result pipes, inherited from the parent: not this one's to read.
    os.closerange(3, result_fd)
    os.closerange(result_fd + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    os.setpgid(0, 0)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans of this exercise stay under it
    try:  # if memory runs out, the kernel takes the learner's code, not the warm parent
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except OSError:
        pass
    timeout = float(unit["timeout"])
    cpu = int(timeout) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = int(unit.get("memory_mb") or 0) << 20
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    tests = os.path.normpath(os.path.join(job_dir, unit["tests"]))
    authors = (parent.grader_dir, tests)
    reporter = Reporter(result_fd, key, (*parent.libraries, *authors), authors)
    workdir = os.path.join(slot, "work")
    try:
        shutil.copytree(os.path.join(job_dir, unit["sub"]), workdir)
        os.makedirs(os.path.join(workdir, ".tmp"))
    except (OSError, shutil.Error) as exc:
        reporter._write({"setup_error": f"could not lay out the exercise's files: {_why(exc)}"})
        os._exit(3)
    os.chdir(workdir)
    os.environ["HOME"] = workdir
    os.environ["TMPDIR"] = os.path.join(workdir, ".tmp")  # removed with the slot
    sys.path.insert(0, workdir)
    sys.dont_write_bytecode = True
    import pytest

    args = pytest_args(job_dir, tests, workdir, exitfirst=bool(unit.get("exitfirst")))
    if parent.pytest_config is not None:
        reuse_config(parent.pytest_config)
    try:
        pytest.main(args, plugins=[reporter])
    finally:
        os._exit(0)


# ---------------------------------------------------------------- parent side


class Running:
    def __init__(self, unit: dict, pid: int, fd: int, slot: int, key: bytes, review: list) -> None:
        self.unit = unit
        self.pid = pid
        self.fd = fd
        self.slot = slot
        self.key = key
        self.review = review  # the static scan's reasons
        self.started = time.monotonic()
        self.deadline = self.started + float(unit["timeout"])
        self.buffer = bytearray()
        self.overflow = False
        self.timed_out = False
        self.status: int | None = None
        self.exit_fd = exit_fd(pid)  # readable once the child has exited


def exit_fd(pid: int) -> int | None:
    """A descriptor that becomes readable when process `pid` exits, so the parent wakes as a
    child ends instead of at its next poll (~10 ms later on average); None where the kernel
    or the sandbox's seccomp filter has no pidfd, and the poll does."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def emit(nonce: bytearray, payload: UnitFrame | dict) -> None:
    line = FRAME_TAG.encode() + b" " + nonce + b" " + json.dumps(payload).encode() + b"\n"
    _write_all(1, line)


def process_table() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, state) of every process this namespace shows."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        fields = data[data.rfind(b")") + 2 :].split()
        if len(fields) > 1 and fields[1].isdigit():
            table[int(name)] = (int(fields[1]), fields[0].decode(errors="replace"))
    return table


def orphans(table: dict[int, tuple[int, str]], me: int, keep: set[int]) -> list[int]:
    """Our descendants that no running exercise owns: whatever a finished (or misbehaving)
    exercise left, since every orphan is re-parented to us or to its exercise's child."""
    found = []
    for pid in table:
        node, steps = pid, 0
        while node in table and node != me and node not in keep and steps < 4096:
            node, steps = table[node][0], steps + 1
        if node == me and pid != me:
            found.append(pid)
    return found


def verify(run: Running) -> tuple[list[dict], dict | None, str | None, list[str]]:
    """Records that the child's reporter wrote, in order; lines it did not write are dropped
    and counted as evidence."""
    records: list[dict] = []
    done: dict | None = None
    setup_error = None
    forged = disorder = 0
    expected = 0
    for line in bytes(run.buffer).splitlines():
        mac, _, body = line.partition(b" ")
        good = _hmac_new(run.key, body, "sha256").hexdigest()[:32].encode()
        if not hmac.compare_digest(mac, good):
            forged += 1
            continue
        try:
            record = json.loads(body)
        except ValueError:
            forged += 1
            continue
        if not isinstance(record, dict) or record.get("seq") != expected:
            disorder += 1
            continue
        expected += 1
        if record.get("done") is True:
            done = record
        elif "setup_error" in record:
            setup_error = str(record["setup_error"])[:MAX_MESSAGE]
        elif len(records) < MAX_RECORDS:
            records.append({k: str(v)[:MAX_MESSAGE] for k, v in record.items() if k != "seq"})
    review = []
    if forged:
        review.append(
            f"runtime: {forged} line(s) on the result pipe were not written by the grader's "
            "reporter (forged results?)"
        )
    if disorder:
        review.append(f"runtime: {disorder} result record(s) were replayed or out of order")
    if run.overflow:
        review.append("runtime: the result pipe was flooded beyond any hidden suite's results")
    return records, done, setup_error, review


class Parent:
    """The warm parent's state: units running, their slots, and the cleanup between them."""

    def __init__(
        self,
        job_dir: str,
        manifest: Manifest,
        nonce: bytearray,
        pytest_config=None,  # noqa: ANN001
    ) -> None:
        from grader import scan

        self.scan = scan.scan_folder
        self.job_dir = job_dir
        self.nonce = nonce
        self.pending = list(manifest["units"])
        self.jobs = max(1, int(manifest.get("jobs", 1)))
        self.slots = [os.path.join(SCRATCH, f"slot{i}") for i in range(self.jobs)]
        for slot in self.slots:
            os.makedirs(slot, exist_ok=True)
        self.free = list(range(self.jobs))
        self.running: dict[int, Running] = {}
        self.draining = False  # something was left in /tmp: let the running ones end first
        self.me = os.getpid()
        self.pytest_config = pytest_config  # each child starts pytest from it
        import _pytest
        import anyio
        import pluggy
        import pytest

        libraries = [os.path.dirname(m.__file__ or "") for m in (_pytest, pluggy, pytest, anyio)]
        self.libraries = tuple(os.path.normpath(r) for r in libraries if r)
        self.grader_dir = os.path.normpath(os.path.dirname(scan.__file__ or ""))

    # -- processes --------------------------------------------------------------------------
    def reap(self) -> None:
        """Collect every exited child: a unit's (its status is kept) or an orphan's."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            run = self.running.get(pid)
            if run is not None and run.status is None:
                run.status = status

    def kill_orphans(self) -> None:
        """Kill every process that no running exercise owns, until none is left."""
        keep = {pid for pid, run in self.running.items() if run.status is None}
        give_up = time.monotonic() + 2  # a fork bomb dies within a few rounds
        while time.monotonic() < give_up:
            self.reap()
            table = process_table()
            targets = [p for p in orphans(table, self.me, keep) if table[p][1] != "Z"]
            if not targets:
                return
            for pid in targets:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.002)

    # -- scratch ----------------------------------------------------------------------------
    def leftovers(self) -> list[str]:
        names = {os.path.basename(slot) for slot in self.slots}
        try:
            return [e.path for e in os.scandir(SCRATCH) if e.name not in names]
        except OSError:
            return []

    # -- units ------------------------------------------------------------------------------
    def start(self, unit: dict, selector: selectors.BaseSelector) -> None:
        slot = self.free.pop(0)
        try:
            review = self.scan(os.path.join(self.job_dir, unit["sub"]))
        except Exception as exc:  # never let a submission's oddity take the runner down
            review = [f"static scan: could not scan the submission ({type(exc).__name__})"]
        key = os.urandom(32)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            selector.close()
            run_child(unit, self.job_dir, self.slots[slot], write_fd, self.nonce, key, self)
        os.close(write_fd)
        os.set_blocking(read_fd, False)
        run = Running(unit, pid, read_fd, slot, key, review)
        self.running[pid] = run
        selector.register(read_fd, selectors.EVENT_READ, run)
        if run.exit_fd is not None:
            selector.register(run.exit_fd, selectors.EVENT_READ, run)
        # Said before the learner's code runs: if it takes the whole sandbox down, the host
        # still knows which exercise was running and what the scan found in it.
        started: UnitFrame = {"unit": unit["key"], "started": True, "review": review}
        emit(self.nonce, started)

    def read(self, run: Running) -> bool:
        """Take what the child wrote; False at end of file."""
        try:
            chunk = os.read(run.fd, 65536)
        except BlockingIOError:
            return True
        if chunk and len(run.buffer) < 8 * MAX_RECORD_BYTES:
            run.buffer.extend(chunk)
        elif chunk:
            run.overflow = True
        return bool(chunk)

    def finish(self, run: Running, selector: selectors.BaseSelector) -> None:
        del self.running[run.pid]
        for fd in (run.fd, run.exit_fd):
            try:
                selector.unregister(fd)
            except (KeyError, ValueError):
                pass
        if run.exit_fd is not None:
            os.close(run.exit_fd)
        self.kill_orphans()  # the exercise's daemons and stragglers, before anything else
        while self.read(run) and len(run.buffer) < 8 * MAX_RECORD_BYTES:
            pass
        os.close(run.fd)
        empty(self.slots[run.slot])  # frees its scratch for the next exercise
        self.free.append(run.slot)
        records, done, setup_error, review = verify(run)
        status = run.status or 0
        if os.WIFSIGNALED(status):
            exit_info = {"signal": os.WTERMSIG(status)}
        else:
            exit_info = {"code": os.WEXITSTATUS(status)}
        frame: UnitFrame = {
            "unit": run.unit["key"],
            "records": records,
            "done": done is not None,
            "tally": (done or {}).get("summary"),
            "tampering": (done or {}).get("tampering"),
            "review": run.review + review,
            "timed_out": run.timed_out,
            "elapsed": round(time.monotonic() - run.started, 3),
            "setup_error": setup_error,
            **exit_info,
        }
        emit(self.nonce, frame)
        if self.leftovers():
            self.draining = True

    def clean(self) -> bool:
        """Whether no process but ours is left (a zombie is reaped first)."""
        self.reap()
        table = process_table()
        return not [p for p in orphans(table, self.me, set()) if table[p][1] != "Z"]

    def settle(self) -> None:
        """Nothing runs: kill what is left and empty /tmp before the next exercise."""
        self.kill_orphans()
        for path in self.leftovers():
            remove(path)
        for slot in self.slots:
            empty(slot)
        self.draining = False

    def run(self) -> int:
        selector = selectors.DefaultSelector()
        selector.register(0, selectors.EVENT_READ, None)  # EOF: the grader is gone, so stop
        emit(self.nonce, {"hello": True, "units": len(self.pending)})
        last_sweep = time.monotonic()
        while self.pending or self.running:
            if self.draining and not self.running:
                self.settle()
            while self.pending and self.free and not self.draining:
                self.start(self.pending.pop(0), selector)
            for key, _ in selector.select(timeout=0.02):
                run = key.data
                if run is None:
                    if not os.read(0, 4096):
                        self.abandon()
                        return 1
                elif key.fd == run.exit_fd:
                    selector.unregister(key.fd)  # it has exited: reaped below
                elif not self.read(run):
                    selector.unregister(run.fd)
            now = time.monotonic()
            for run in list(self.running.values()):
                if not run.timed_out and run.status is None and now > run.deadline:
                    run.timed_out = True
                    for kill in (os.killpg, os.kill):
                        try:
                            kill(run.pid, signal.SIGKILL)
                        except (ProcessLookupError, PermissionError):
                            pass
            self.reap()
            for run in [r for r in self.running.values() if r.status is not None]:
                self.finish(run, selector)
            if now - last_sweep > SWEEP_SECONDS:
                self.kill_orphans()  # daemons of an exercise that gave up its subreaper
                last_sweep = now
        emit(self.nonce, {"bye": True})
        return 0

    def abandon(self) -> None:
        """The grader that started us died: kill every process and leave."""
        self.running.clear()
        self.kill_orphans()


def empty(folder: str) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        remove(entry.path)


def remove(path: str) -> None:
    """Remove a file or a tree the learner's code may have made unreadable (chmod 0)."""

    def retry(function, target, _exc) -> None:  # noqa: ANN001
        try:
            os.chmod(os.path.dirname(target), 0o700)
            if os.path.isdir(target) and not os.path.islink(target):
                os.chmod(target, 0o700)
                shutil.rmtree(target, ignore_errors=True)
            else:
                function(target)
        except OSError:
            pass

    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, onerror=retry)
        else:
            os.unlink(path)
    except OSError:
        pass


def main(job_dir: str, hint: list[str] | None = None, serve: bool = False) -> int:
    """`hint`: the libraries to import before the job is there (the host stages it meanwhile,
    and sends the nonce once it is complete). `serve`: grade one run after another, each
    staged in `job_dir/runs/` and named on stdin with its own nonce (grader.sandbox.warm)."""
    make_undumpable()
    _prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans come to us even where we are not pid 1
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as init, a signal without handler is dropped
    # The imports make ~200k objects: collecting them as they come costs a fifth of the
    # imports' time. They live as long as we do, so they are frozen out of every collection
    # (ours and the children's, which would otherwise also touch every page they share).
    gc.disable()
    # Nothing in the sandbox reaches a network, so no certificate is ever verified: an empty
    # CA folder spares each httpx client the learner's app makes ~15 ms of parsing certifi's
    # bundle (httpx, like OpenSSL, takes the folder from the environment).
    os.environ.setdefault("SSL_CERT_DIR", NO_CERTIFICATES)
    preload(hint or [])
    endpoint_context_from_code()
    email_validator_version_once()
    pytest_config = prepared_config(Reporter)
    if serve:
        return serve_runs(job_dir, pytest_config)
    nonce = read_nonce()
    manifest = load_job(job_dir, limit_processes=True)
    return Parent(job_dir, manifest, nonce, pytest_config).run()


def load_job(job_dir: str, *, limit_processes: bool) -> Manifest:
    """The job's manifest, with the process cap it sets and the libraries it names imported."""
    with open(os.path.join(job_dir, MANIFEST_FILE), encoding="utf-8") as fh:
        manifest: Manifest = json.load(fh)
    pids = int(manifest.get("pids") or 0)
    if pids and limit_processes:  # counted per uid inside our own user namespace
        resource.setrlimit(resource.RLIMIT_NPROC, (pids, pids))
    preload([str(name) for name in manifest.get("preload", [])])
    gc.freeze()
    gc.enable()  # for us and the children we fork: the learner's code makes cycles too
    return manifest


RUN_NAME = re.compile(rb"[A-Za-z0-9_-]{1,64}")


def read_request() -> tuple[bytearray, str] | None:
    """The next run to grade, `nonce name\n` on stdin: (nonce, name), or None once the host
    has closed it. The nonce is read into a buffer of its own and never copied, as in
    `read_nonce`, so that no exercise's child finds it in the memory it inherits."""
    line = bytearray()
    while not line.endswith(b"\n") and len(line) < 256:
        chunk = bytearray(1)
        if not os.readv(0, [chunk]):
            return None
        line += chunk
    space = line.find(b" ")
    name = bytes(line[space + 1 :]).strip()
    nonce = line
    del nonce[max(space, 0) :]
    if space <= 0 or not RUN_NAME.fullmatch(name):
        return None
    return nonce, name.decode()


def serve_runs(root: str, pytest_config) -> int:  # noqa: ANN001
    """Grade runs until stdin closes. Between runs nothing of the last one is left: its
    processes are killed and /tmp is emptied; if a process outlives that, or our limits or
    priority were changed, the runner stops, so the next run gets a new sandbox."""
    as_started: list | None = None
    while True:
        request = read_request()
        if request is None:
            return 0
        nonce, name = request
        job_dir = os.path.join(root, "runs", name)
        manifest = load_job(job_dir, limit_processes=as_started is None)
        as_started = as_started or own_limits()
        parent = Parent(job_dir, manifest, nonce, pytest_config)
        code = parent.run()
        nonce[:] = bytes(len(nonce))
        if code:
            return code
        parent.settle()
        if not parent.clean() or own_limits() != as_started:
            return 0


def own_limits() -> list:
    """What an exercise's process could change about us (same uid): our resource limits and
    our priority."""
    limits = [
        resource.getrlimit(getattr(resource, n)) for n in dir(resource) if n.startswith("RLIMIT_")
    ]
    return [*limits, os.getpriority(os.PRIO_PROCESS, 0)]


if __name__ == "__main__":
    _serve = sys.argv[2:3] == ["--serve"]
    sys.exit(main(sys.argv[1], sys.argv[3 if _serve else 2 :], serve=_serve))
