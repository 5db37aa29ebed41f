"""A warm sandbox: the runner stays up between a student's gradings, so the next `grade` skips
its start-up.

A cold grading starts a sandbox whose runner first imports FastAPI, SQLAlchemy, Pydantic and
pytest: ~0.6-0.9 s of `grade 3.2`'s ~1.3-1.8 s on two cores. Here the first grading forks a
*keeper*, a small host process that starts the sandbox with the runner in serve mode and owns it
(the sandbox dies with it). It listens on a Unix socket in a folder only our uid may enter. Each
grading stages its run inside the keeper's job folder (the sandbox sees `/job/runs/<name>`),
names it on the socket with a fresh nonce, and reads the runner's output back through the
keeper, under the same limits as a cold run (wall time, silence, output size).

Every run is graded as in a cold sandbox: children forked from a parent that has never run
learner code, each in an emptied slot. Between runs the runner kills every process of the last
one and empties /tmp; if one survives, the runner stops. The keeper stops the sandbox after
`GRADE_KEEP_WARM` seconds without a grading (default 900, 0 turns this off), and at once on
anything unusual: a grader that leaves mid-run (Ctrl-C), a runner that exits. Only one run at a
time: a grading that finds the keeper busy runs cold. Only bubblewrap keeps warm; batch
grading, `grade check` and the workers never do (a batch pays the start once anyway).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from .. import __version__, contract
from ..staging import ETC_HOSTS, Job, Limits
from .base import RUNNING, STDERR_CAP, Progress, RawRun, Sandbox, new_nonce

KEEP_WARM_ENV = "GRADE_KEEP_WARM"
DEFAULT_KEEP_SECONDS = 900.0
RUNNER_CPU_SECONDS = 3600  # the runner's own CPU over its life; each exercise has its own cap
REQUEST_MAX = 512
LOCK_WAIT = 10.0  # a keeper stopping its container, or a grading forking one
MAX_LINE = 64 << 20  # far beyond any frame of the runner's
PRIVATE = "private"
# Keeper → grading messages: a kind byte and a length, then the payload.
HEADER = struct.Struct(">cI")
OUT, ERR, END, BUSY = b"o", b"e", b"x", b"b"


def keep_seconds() -> float:
    raw = os.environ.get(KEEP_WARM_ENV, "")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_KEEP_SECONDS
    except ValueError:
        return DEFAULT_KEEP_SECONDS


def kept_warm(box: Sandbox) -> Sandbox:
    """`box`, kept warm between gradings where it can be (bubblewrap or Docker, not turned
    off)."""
    if getattr(box, "name", "") not in PROCESSES or keep_seconds() <= 0:
        return box
    return WarmSandbox(box)


class WarmUnavailable(Exception):
    """This grading runs cold (the keeper is busy, or can't be reached or started)."""


class WarmSandbox:
    """A sandbox kept warm by a keeper; grades cold whenever the keeper can't."""

    def __init__(self, cold) -> None:  # noqa: ANN001 - a BwrapSandbox or a DockerSandbox
        self.cold = cold
        self.name = cold.name
        self.warning = cold.warning
        self.image_digest = cold.image_digest
        self.sandbox_uid = cold.sandbox_uid
        self.nproc_rlimit = getattr(cold, "nproc_rlimit", True)
        self.idle = keep_seconds()
        self.served = {"warm": 0, "cold": 0}  # how this sandbox's runs were graded

    def run(self, job: Job, prepare: Callable[[], None] | None = None) -> RawRun:
        pool = Pool.of(self.cold, job.limits)
        try:
            conn = pool.connect() or pool.start(self.cold, job, self.idle)
        except (OSError, WarmUnavailable):
            conn = None
        if conn is None:
            self.served["cold"] += 1
            return self.cold.run(job, prepare)
        try:
            if prepare is not None:
                prepare()  # staging, while a new keeper's runner imports
            raw = pool.grade(conn, job)
            self.served["warm"] += 1
            return raw
        except WarmUnavailable:
            self.served["cold"] += 1
            return self.cold.run(job)
        finally:
            conn.close()


class Pool:
    """A keeper's folder, `<tmp>/grade-warm-<uid>/<key>/`, laid out as a staged job is: only
    `mnt/` (root's relocation mountpoints) is reachable by other uids; `private/` (0700) holds
    the socket and the sandbox's job folder (`job/`: etc files and `runs/`). The key names
    everything the sandbox was started with, so a grader, Python or limits that differ get a
    keeper of their own; the lock beside the folder is held by the live keeper."""

    def __init__(self, base: Path, key: str) -> None:
        self.base = base
        self.folder = base / key
        self.lock = base / f"{key}.lock"
        self.log = base / f"{key}.log"  # why the last keeper stopped, if it failed
        self.socket = self.folder / PRIVATE / "keeper.sock"
        self.job_root = self.folder / PRIVATE / "job"

    @classmethod
    def of(cls, cold, limits: Limits) -> Pool:  # noqa: ANN001
        return cls(private_base(), pool_key(cold, limits))

    # -- client side -------------------------------------------------------------------------
    def connect(self) -> socket.socket | None:
        """A connection to this pool's live keeper, or None when none is listening."""
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(str(self.socket))
        except OSError:
            conn.close()
            return None
        return conn

    def start(self, cold, job: Job, idle: float) -> socket.socket:  # noqa: ANN001
        """Fork a keeper for this pool and connect to it. The listening socket is made here
        and inherited, so the connection waits in its backlog until the keeper accepts."""
        lock = _locked(self.lock)  # from a keeper that is stopping, or a grading starting one
        try:
            conn = self.connect()
            if conn is not None:  # that grading's keeper
                return conn
            shutil.rmtree(self.folder, ignore_errors=True)  # a killed keeper's leftovers
            sweep(self.base, but=self.folder.name)
            (self.job_root / "runs").mkdir(parents=True)
            (self.folder / "mnt").mkdir()
            os.chmod(self.folder, 0o711)
            os.chmod(self.folder / PRIVATE, 0o700)
            for folder in (self.job_root, self.job_root / "runs", self.folder / "mnt"):
                os.chmod(folder, 0o755)  # the sandbox's uid reads through its bind
            etc = self.job_root / "etc"
            etc.mkdir(mode=0o755)
            (etc / "hosts").write_text(ETC_HOSTS)
            (etc / "passwd").write_text(contract.passwd(cold.sandbox_uid))
            for name in ("hosts", "passwd"):
                os.chmod(etc / name, 0o644)
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                listener.bind(str(self.socket))
                os.chmod(self.socket, 0o600)
                listener.listen(8)
                pool_job = Job(self.folder, PRIVATE, [], job.limits, list(job.preload_hint))
                keeper = Keeper(self, cold, pool_job, listener, idle)
                _fork_keeper(keeper.serve, keep={lock, listener.fileno()})
            finally:
                listener.close()
        finally:
            os.close(lock)  # the keeper holds its own copy of the lock
        conn = self.connect()
        if conn is None:
            raise WarmUnavailable("the keeper did not start")
        return conn

    def grade(self, conn: socket.socket, job: Job) -> RawRun:
        """Stage `job` as one of this pool's runs, have the keeper's runner grade it, and read
        its output back under the job's limits. The job goes back where it was staged."""
        name = secrets.token_hex(8)
        run_path = self.job_root / "runs" / name
        nonce = new_nonce()
        started = time.monotonic()
        os.rename(job.path, run_path)
        try:
            try:
                conn.sendall(json.dumps({"run": name, "nonce": nonce}).encode() + b"\n")
            except OSError:  # a busy keeper says so and hangs up at once
                raise WarmUnavailable("the keeper is busy") from None
            with RUNNING.holding(lambda: _hang_up(conn)):
                return _read_run(conn, job, nonce, started)
        finally:
            os.rename(run_path, job.path)


def _locked(path: Path, wait: bool = True) -> int:
    """The descriptor of the lock file `path`, taken (waiting up to LOCK_WAIT, or not at all).
    A keeper removes its lock file as it stops, still holding it: whoever took the lock of a
    file no longer at `path` opens the new one instead."""
    while True:
        lock = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            if wait:
                _take(lock)
            else:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held, there = os.fstat(lock), os.stat(path)
            if (held.st_dev, held.st_ino) == (there.st_dev, there.st_ino):
                return lock
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(lock)
            raise
        os.close(lock)


def sweep(base: Path, but: str = "") -> int:
    """Remove what killed keepers left in `base` (their folders and lock files), leaving any
    pool whose lock is held (a live keeper, or a grading starting one) and `but`; how many."""
    keys = {p.stem for p in base.glob("*.lock")} | {p.name for p in base.iterdir() if p.is_dir()}
    swept = 0
    for key in sorted(keys - {but}):
        pool = Pool(base, key)
        try:
            lock = _locked(pool.lock, wait=False)
        except (BlockingIOError, OSError):
            continue
        try:
            shutil.rmtree(pool.folder, ignore_errors=True)
            pool.lock.unlink()
            swept += 1
        finally:
            os.close(lock)
    return swept


def _take(lock: int) -> None:
    """Take the pool's lock, waiting a little for whoever holds it to let go."""
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise WarmUnavailable("the keeper's lock is held") from None
            time.sleep(0.005)


def _hang_up(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)


def _read_run(conn: socket.socket, job: Job, nonce: str, started: float) -> RawRun:
    """The keeper's messages until the run ends; on a limit crossed, hang up (the keeper then
    kills the sandbox) and say which limit."""
    out, err = bytearray(), bytearray()
    progress = Progress(nonce, job, started)
    deadline = started + job.wall_timeout
    timed_out = stalled = exceeded = False
    end: dict = {}
    reader = _Messages(conn)
    conn.setblocking(False)
    with selectors.DefaultSelector() as sel:
        sel.register(conn, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            if progress.stalled(now):
                timed_out = stalled = True
                break
            if now >= deadline:
                timed_out = True
                break
            if not sel.select(timeout=min(deadline - now, 0.5)):
                continue
            messages = reader.read()
            if messages is None:
                if not out:  # hung up before the run began: this grading runs cold
                    raise WarmUnavailable("the keeper hung up")
                end = {"returncode": None}
                break
            for kind, payload in messages:
                if kind == BUSY:
                    raise WarmUnavailable("the keeper is busy")
                if kind == OUT:
                    out.extend(payload)
                    progress.feed(payload, time.monotonic())
                elif kind == ERR:
                    err.extend(payload[: max(0, STDERR_CAP - len(err))])
                elif kind == END:
                    end = json.loads(payload)
            if end or len(out) > job.limits.output_bytes:
                exceeded = not end
                break
    if not end:
        _hang_up(conn)
    elif not out:  # the warm runner ended before it said a word: a cold one will tell why
        raise WarmUnavailable("the warm runner ended")
    return RawRun(
        nonce=nonce,
        stdout=bytes(out[: job.limits.output_bytes]),
        stderr=bytes(err),
        returncode=end.get("returncode"),
        wall_timed_out=timed_out,
        stalled=stalled,
        output_exceeded=exceeded,
        oom_killed=bool(end.get("oom")),
        duration=time.monotonic() - started,
    )


class _Messages:
    """Whole messages from a non-blocking socket; None once it has closed."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.buffer = bytearray()

    def read(self) -> list[tuple[bytes, bytes]] | None:
        try:
            chunk = self.conn.recv(1 << 16)
        except BlockingIOError:
            return []
        except OSError:
            return None
        if not chunk:
            return None
        self.buffer.extend(chunk)
        messages = []
        while len(self.buffer) >= HEADER.size:
            kind, size = HEADER.unpack_from(self.buffer)
            if len(self.buffer) < HEADER.size + size:
                break
            messages.append((kind, bytes(self.buffer[HEADER.size : HEADER.size + size])))
            del self.buffer[: HEADER.size + size]
        return messages


def stop_keepers() -> int:
    """Stop every keeper of ours that is idle (each stops its sandbox); how many were asked."""
    try:
        base = private_base()
    except (OSError, WarmUnavailable):
        return 0
    asked = 0
    for lock in base.glob("*.lock"):
        conn = Pool(base, lock.stem).connect()
        if conn is None:
            continue
        with conn:
            with contextlib.suppress(OSError):
                conn.sendall(b'{"stop": true}\n')
                conn.recv(1)  # closed once the keeper has read it
                asked += 1
    return asked


# ---------------------------------------------------------------- where keepers live


def private_base() -> Path:
    """`<tmp>/grade-warm-<uid>`: ours, traversable but not listable (0711, as a staged job's
    root), on the same file system as the jobs, which move into a keeper's folder by renaming."""
    base = Path(tempfile.gettempdir()) / f"grade-warm-{os.geteuid()}"
    with contextlib.suppress(FileExistsError):
        base.mkdir(mode=0o711)
    info = base.lstat()
    if not base.is_dir() or base.is_symlink() or info.st_uid != os.geteuid():
        raise WarmUnavailable(f"{base} is not ours")
    if info.st_mode & 0o7777 != 0o711:
        os.chmod(base, 0o711)
    return base


def pool_key(cold, limits: Limits) -> str:  # noqa: ANN001
    """Everything the keeper's sandbox was started with: the grader's own files (a changed
    runner means a new sandbox), the Python, the sandbox and its uid, the limits."""
    package = Path(__file__).resolve().parent.parent
    files = sorted(
        (str(p.relative_to(package)), p.stat().st_mtime_ns, p.stat().st_size)
        for p in package.rglob("*.py")
    )
    material = {
        "version": __version__,
        "grader": files,
        "python": [sys.executable, sys.prefix],
        "sandbox": [cold.name, cold.sandbox_uid, cold.image_digest],
        "limits": asdict(limits),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:20]


# ---------------------------------------------------------------- the keeper


def _fork_keeper(serve: Callable[[], None], keep: set[int]) -> None:
    """Run `serve` in a grandchild in a session of its own (no terminal, no parent to wait for
    it, no descriptor of ours but `keep`); return once the child between has exited."""
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    try:
        os.setsid()
        if os.fork() == 0:
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            last = 3
            for fd in sorted(keep):
                os.closerange(last, fd)
                last = fd + 1
            os.closerange(last, os.sysconf("SC_OPEN_MAX"))
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
                signal.signal(sig, signal.SIG_DFL)
            signal.signal(signal.SIGPIPE, signal.SIG_IGN)
            try:
                serve()
            finally:
                os._exit(0)
    finally:
        os._exit(0)


class BwrapProcess:
    """A serve-mode runner in a bubblewrap sandbox: its pipes, cgroup and process group."""

    def __init__(self, cold, job: Job) -> None:  # noqa: ANN001 - a BwrapSandbox
        self.launch = cold.launch(job, cpu_seconds=RUNNER_CPU_SECONDS, serve=True)
        self.proc = subprocess.Popen(
            self.launch.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.launch.env,
            cwd="/",
            preexec_fn=self.launch.preexec,
            start_new_session=True,
        )
        assert self.proc.stdin and self.proc.stdout and self.proc.stderr
        self.main = self.proc.stdout.fileno()  # its end is the runner's
        self.sources = [self.main, self.proc.stderr.fileno()]

    def read(self, fd: int) -> list[tuple[bytes, bytes]] | None:
        chunk = os.read(fd, 1 << 16)
        return [(OUT if fd == self.main else ERR, chunk)] if chunk else None

    def send(self, data: bytes) -> None:
        assert self.proc.stdin
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def oom_kills(self) -> int:
        return self.launch.oom_kills()

    def returncode(self) -> int | None:
        return self.proc.wait()

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)

    def close(self) -> None:
        self.launch.close()


class DockerProcess:
    """A serve-mode runner in a container, through a Docker connection of the keeper's own
    (the grading's, shared across the fork, is never used here)."""

    def __init__(self, cold, job: Job) -> None:  # noqa: ANN001 - a DockerSandbox
        import docker

        from .container import _kill, _wait, demultiplex

        self._kill, self._wait, self._demultiplex = _kill, _wait, demultiplex
        self.container = cold.create(job, serve=True, client=docker.from_env(timeout=30))
        sock = self.container.attach_socket(
            params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        )
        self.sock = getattr(sock, "_sock", sock)
        self.container.start()
        self.main = self.sock.fileno()
        self.sources = [self.main]
        self.buffer = bytearray()

    def read(self, fd: int) -> list[tuple[bytes, bytes]] | None:
        """Docker's attach stream, demultiplexed (8-byte headers: stream, size)."""
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            return None
        self.buffer.extend(chunk)
        return [
            (ERR if stream == 2 else OUT, data) for stream, data in self._demultiplex(self.buffer)
        ]

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def oom_kills(self) -> int:
        try:
            self.container.reload()
            return int(bool(self.container.attrs["State"].get("OOMKilled")))
        except Exception:  # gone
            return 0

    def returncode(self) -> int | None:
        return self._wait(self.container).get("ExitCode")

    def stop(self) -> None:
        self._kill(self.container)
        with contextlib.suppress(Exception):
            self._wait(self.container)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.container.remove(force=True)


PROCESSES = {"bwrap": BwrapProcess, "docker": DockerProcess}


class Keeper:
    """Owns one serve-mode sandbox; grades the runs named on its socket one at a time."""

    def __init__(self, pool: Pool, cold, job: Job, listener: socket.socket, idle: float) -> None:  # noqa: ANN001
        self.pool = pool
        self.cold = cold
        self.job = job
        self.listener = listener
        self.idle = idle
        self.client: socket.socket | None = None
        self.prefix = b""  # the frames of the run being graded
        self.line = b""
        self.killed = False
        self.err_sent = 0
        self.oom_before = 0  # memory kills counted when the last run ended

    def serve(self) -> None:
        """Until idle for long enough or something goes wrong; the pool's lock, taken by the
        grading that forked us, is held through the descriptor we inherited."""
        process = None
        try:
            process = PROCESSES[self.cold.name](self.cold, self.job)
            self._loop(process)
        except Exception:
            import traceback

            self.pool.log.write_text(traceback.format_exc())
        finally:
            with contextlib.suppress(OSError):
                self.listener.close()
                self.pool.socket.unlink()
            if process is not None:
                process.stop()
                process.close()
            shutil.rmtree(self.pool.folder, ignore_errors=True)
            with contextlib.suppress(OSError):  # still held: a grading waiting on it reopens
                self.pool.lock.unlink()

    def _loop(self, process) -> None:  # noqa: ANN001 - a BwrapProcess or a DockerProcess
        sel = selectors.DefaultSelector()
        sel.register(self.listener, selectors.EVENT_READ, "listen")
        for fd in process.sources:
            sel.register(fd, selectors.EVENT_READ, "runner")
        idle_since = time.monotonic()
        while True:
            timeout = None if self.client else max(0.0, idle_since + self.idle - time.monotonic())
            events = sel.select(timeout=timeout)
            if not events and self.client is None:
                return  # idle long enough
            for key, _ in events:
                if key.data == "listen":
                    self._accept(process, sel)
                    continue
                if key.data == "client":
                    return  # a grading that hangs up mid-run: its sandbox goes with it
                messages = process.read(key.fd)
                if messages is None and key.fd != process.main:
                    sel.unregister(key.fd)
                    continue
                if messages is None:  # the runner ended: say how, and stop
                    oom = process.oom_kills() > self.oom_before
                    self._end(sel, {"returncode": process.returncode(), "oom": oom})
                    return
                if self.client is None:
                    return  # the runner speaks out of turn: don't trust it further
                if not self._relay(messages):
                    continue
                if self.killed:
                    # Killed for time or memory: whether the kernel killed it for memory is
                    # told for sure only once the sandbox is stopped (Docker's flag), and no
                    # later run should be blamed for it. This run is the sandbox's last.
                    process.stop()
                    oom = process.oom_kills() > self.oom_before
                    self._end(sel, {"returncode": 0, "oom": oom})
                    return
                kills = process.oom_kills()
                self._end(sel, {"returncode": 0, "oom": kills > self.oom_before})
                self.oom_before = kills
                idle_since = time.monotonic()

    def _relay(self, messages: list[tuple[bytes, bytes]]) -> bool:
        """Pass the runner's output on; whether it said goodbye to this run. Notes whether an
        exercise of the run was killed (out of time or memory)."""
        done = False
        for kind, chunk in messages:
            if kind == ERR:
                if self.err_sent < STDERR_CAP:
                    self._send(ERR, chunk[: STDERR_CAP - self.err_sent])
                    self.err_sent += len(chunk)
                continue
            self._send(OUT, chunk)
            *lines, self.line = (self.line + chunk).split(b"\n")
            for line in lines:
                frame = self._frame(line)
                self.killed |= frame.get("signal") == signal.SIGKILL or bool(frame.get("timed_out"))
                done |= frame.get("bye") is True
            if len(self.line) > MAX_LINE:
                raise SystemExit  # no frame of the runner's is this long
        return done

    def _frame(self, line: bytes) -> dict:
        if not line.startswith(self.prefix):
            return {}
        try:
            frame = json.loads(line[len(self.prefix) :])
        except ValueError:
            return {}
        return frame if isinstance(frame, dict) else {}

    def _accept(self, process, sel: selectors.BaseSelector) -> None:  # noqa: ANN001
        conn, _ = self.listener.accept()
        # A memory kill counted since the last run ended came late (Docker tells of it
        # asynchronously, and only as a flag): no later run could tell it from its own, so
        # this sandbox serves no more; the grading that asked runs cold.
        late_oom = self.client is None and process.oom_kills() != self.oom_before
        if self.client is not None or late_oom:
            with contextlib.suppress(OSError):
                conn.sendall(HEADER.pack(BUSY, 0))
            conn.close()
            if late_oom:
                raise SystemExit
            return
        try:
            conn.settimeout(5)
            request = json.loads(_read_line(conn))
            if request.get("stop"):
                conn.close()
                raise SystemExit
            name, nonce = str(request["run"]), str(request["nonce"])
            if (
                not (name.isalnum() and nonce.isalnum())
                or not (self.pool.job_root / "runs" / name).is_dir()
            ):
                raise ValueError(name)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            conn.close()
            return
        conn.settimeout(None)
        self.client = conn
        self.prefix = f"{contract.FRAME_TAG} {nonce} ".encode()
        self.line = b""
        self.killed = False
        self.err_sent = 0
        sel.register(conn, selectors.EVENT_READ, "client")
        process.send(f"{nonce} {name}\n".encode())

    def _send(self, kind: bytes, payload: bytes) -> None:
        try:
            assert self.client
            self.client.sendall(HEADER.pack(kind, len(payload)) + payload)
        except OSError:
            raise SystemExit from None  # the grading is gone mid-run: so is its sandbox

    def _end(self, sel: selectors.BaseSelector, how: dict) -> None:
        if self.client is None:
            return
        with contextlib.suppress(OSError, SystemExit):
            self._send(END, json.dumps(how).encode())
        sel.unregister(self.client)
        self.client.close()
        self.client = None


def _read_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(REQUEST_MAX)
        if not chunk or len(data) > REQUEST_MAX:
            raise ValueError("no request")
        data += chunk
    return data
