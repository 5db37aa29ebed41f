"""What every sandbox returns, and the host-side process supervision they share."""

from __future__ import annotations

import os
import secrets
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from .. import contract
from ..staging import STARTUP_SECONDS, Job

STDERR_CAP = 64 << 10
FRAME_TAG = contract.FRAME_TAG.encode()


@dataclass
class RawRun:
    """The sandbox's raw output; only frames bearing `nonce` are trusted."""

    nonce: str
    stdout: bytes
    stderr: bytes
    returncode: int | None
    wall_timed_out: bool = False
    stalled: bool = False  # the runner went silent for longer than any exercise may last
    output_exceeded: bool = False
    oom_killed: bool = False
    duration: float = 0.0


class Sandbox(Protocol):
    name: str
    image_digest: str | None
    warning: str  # shown before grading when not empty (e.g. --sandbox none)
    sandbox_uid: int  # the uid the code runs as inside: the one /etc/passwd there lists

    def run(self, job: Job, prepare: Callable[[], None] | None = None) -> RawRun:
        """Run the job's runner; `prepare()` (staging the job's files) is called once the
        sandbox is starting, and the runner reads nothing of the job before it returns."""
        ...


class Running:
    """The sandboxes running now, each with the way to kill it, so that a teacher's Ctrl-C can
    stop them all at once (their process groups are in sessions of their own: the terminal's
    SIGINT never reaches them). Once `stop_all` is called, a sandbox that starts is killed at
    once, until `reset`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kills: dict[int, Callable[[], None]] = {}
        self._next = 0
        self.stopped = False

    @contextmanager
    def holding(self, kill: Callable[[], None]) -> Iterator[None]:
        with self._lock:
            token = self._next
            self._next += 1
            self._kills[token] = kill
            stopped = self.stopped
        if stopped:
            kill()
        try:
            yield
        finally:
            with self._lock:
                self._kills.pop(token, None)

    def stop_all(self) -> int:
        """Kill every running sandbox (and any that starts from now on); how many were running."""
        with self._lock:
            self.stopped = True
            kills = list(self._kills.values())
        for kill in kills:
            try:
                kill()
            except Exception:  # already gone
                pass
        return len(kills)

    def reset(self) -> None:
        with self._lock:
            self.stopped = False


RUNNING = Running()


def new_nonce() -> str:
    return secrets.token_hex(16)


class Progress:
    """Watches the runner's frames as they arrive. The runner reports every exercise within
    its timeout, so a silence longer than the longest one (or no greeting within the start-up
    allowance) means it was stopped or starved: the host gives up then, not at the wall time."""

    def __init__(self, nonce: str, job: Job, started: float) -> None:
        self.marker = FRAME_TAG + b" " + nonce.encode() + b" "
        self.idle = job.idle_timeout
        self.deadline = started + STARTUP_SECONDS
        self.tail = b""

    def feed(self, chunk: bytes, now: float) -> None:
        data = self.tail + chunk
        if self.marker in data:
            self.deadline = now + self.idle
        self.tail = data[1 - len(self.marker) :]  # a tag cut in two is seen whole next time

    def stalled(self, now: float) -> bool:
        return now > self.deadline


def supervise(
    argv: list[str],
    job: Job,
    *,
    env: dict[str, str],
    pass_fds: tuple[int, ...] = (),
    preexec: Callable[[], None] | None = None,
    cwd: str | None = None,
    prepare: Callable[[], None] | None = None,
) -> RawRun:
    """Run argv with the nonce on stdin; cap output and wall time; always kill the whole group.
    `prepare` runs while the runner starts (its imports take longer than staging a job); the
    nonce, its signal to go, is sent after. If `prepare` fails, the runner is killed."""
    nonce = new_nonce()
    started = time.monotonic()
    deadline = started + job.wall_timeout
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        pass_fds=pass_fds,
        preexec_fn=preexec,
        start_new_session=True,
    )
    assert proc.stdin and proc.stdout and proc.stderr
    if prepare is not None:
        try:
            prepare()
        except BaseException:
            _end(proc)
            raise
    try:  # stdin stays open for the whole run: the runner stops when it closes
        proc.stdin.write(nonce.encode() + b"\n")
        proc.stdin.flush()
    except BrokenPipeError:
        pass
    out, err = bytearray(), bytearray()
    progress = Progress(nonce, job, started)
    try:
        with RUNNING.holding(lambda: kill_group(proc)), selectors.DefaultSelector() as sel:
            timed_out, stalled, exceeded = _collect(proc, sel, out, err, progress, deadline, job)
    except BaseException:  # Ctrl-C, or the grader failing: the sandbox never outlives it
        _end(proc)
        raise
    returncode = _end(proc)
    return RawRun(
        nonce=nonce,
        stdout=bytes(out[: job.limits.output_bytes]),
        stderr=bytes(err),
        returncode=returncode,
        wall_timed_out=timed_out,
        stalled=stalled,
        output_exceeded=exceeded,
        duration=time.monotonic() - started,
    )


def _collect(
    proc: subprocess.Popen,
    sel: selectors.BaseSelector,
    out: bytearray,
    err: bytearray,
    progress: Progress,
    deadline: float,
    job: Job,
) -> tuple[bool, bool, bool]:
    """Read the runner's output until it ends, stalls, overflows or runs out of time:
    (timed_out, stalled, exceeded)."""
    timed_out = exceeded = stalled = False
    sel.register(proc.stdout, selectors.EVENT_READ, out)
    sel.register(proc.stderr, selectors.EVENT_READ, err)
    while sel.get_map():
        now = time.monotonic()
        if progress.stalled(now):
            timed_out = stalled = True
            break
        remaining = deadline - now
        if remaining <= 0:
            timed_out = True
            break
        for key, _ in sel.select(timeout=min(remaining, 0.5)):
            chunk = os.read(key.fd, 65536)
            if not chunk:
                sel.unregister(key.fileobj)
                continue
            buffer = key.data
            if buffer is err:
                if len(err) < STDERR_CAP:
                    err.extend(chunk[: STDERR_CAP - len(err)])
                continue
            buffer.extend(chunk)
            progress.feed(chunk, time.monotonic())
            if len(out) > job.limits.output_bytes:
                exceeded = True
        if exceeded:
            break
    return timed_out, stalled, exceeded


def _end(proc: subprocess.Popen) -> int | None:
    """Kill the sandbox's whole group, reap it and close its pipes; its exit status."""
    kill_group(proc)
    try:
        returncode = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # unkillable: leave it to --die-with-parent
        returncode = None
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        try:
            stream.close()
        except OSError:
            pass
    return returncode


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
