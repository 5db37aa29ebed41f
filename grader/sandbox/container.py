"""Docker: one throw-away container per grading run, driven through the Docker SDK.

No network, read-only root, a size-capped /tmp, memory equal to memory+swap, a pids limit, one
CPU per job, no capabilities, no-new-privileges, a non-root user, no log driver (output never
lands on the host's disk). The staged job and the runner are mounted read-only; nothing the
container can write reaches the host. Results come back on the attached stdout, framed with a
nonce sent on stdin. The container is killed by name on timeout, inspected for OOMKilled, and
always removed.
"""

from __future__ import annotations

import selectors
import struct
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from .. import contract
from ..errors import SandboxUnavailable
from ..image import LABEL, image_tag
from ..staging import Job
from .base import RUNNING, STDERR_CAP, Progress, RawRun, new_nonce

LIB = "/opt/grade/lib"
WARM = "warm"  # the label's value on a kept-warm container (grader.sandbox.warm)
SANDBOX_UID = contract.SANDBOX_UID


def docker_problem(exc: BaseException) -> str:
    """Why Docker did not answer, in a few words instead of the SDK's nested tuples."""
    text = str(exc)
    for sign, reason in (
        ("FileNotFoundError", "its socket does not exist: is Docker installed and started?"),
        ("PermissionError", "permission denied on its socket: join the docker group"),
        ("ConnectionRefusedError", "its socket refuses connections: is the daemon running?"),
        ("Read timed out", "it did not answer in time"),
    ):
        if sign in text:
            return reason
    line = text.splitlines()[0] if text.strip() else type(exc).__name__
    line = line.removeprefix("Error while fetching server API version: ")
    return line if len(line) <= 120 else line[:119] + "…"


class DockerSandbox:
    name = "docker"
    warning = ""
    sandbox_uid = SANDBOX_UID
    nproc_rlimit = False  # the pids cgroup caps processes; the uid is shared by containers

    def __init__(self, client=None, image: str | None = None) -> None:
        import docker
        from docker.errors import DockerException, ImageNotFound

        try:
            self.client = client or docker.from_env(timeout=30)
            self.client.ping()
        except DockerException as exc:
            raise SandboxUnavailable(
                "no-docker",
                f"no Docker engine answers ({docker_problem(exc)}).",
                "Start Docker, or use --sandbox bwrap.",
            ) from None
        self.tag = image or image_tag()
        try:
            self.image = self.client.images.get(self.tag)
        except ImageNotFound:
            raise SandboxUnavailable(
                "no-image",
                f"Docker answers but the grader image {self.tag} is missing.",
                "Build it once with `grade image build`.",
            ) from None
        self.image_digest = self.image.id
        sweep(self.client)

    def run(self, job: Job, prepare: Callable[[], None] | None = None) -> RawRun:
        limits = job.limits
        nonce = new_nonce()
        container = self.create(job)
        started = time.monotonic()
        try:
            sock = container.attach_socket(
                params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
            raw_sock = getattr(sock, "_sock", sock)
            container.start()
            if prepare is not None:  # while the container starts and its runner imports
                prepare()
            raw_sock.sendall(nonce.encode() + b"\n")
            progress = Progress(nonce, job, started)
            with RUNNING.holding(lambda: _kill(container)):
                stdout, stderr, timed_out, exceeded, stalled = _read_frames(
                    raw_sock, started + job.wall_timeout, limits.output_bytes, progress
                )
            if timed_out or exceeded:
                _kill(container)
            state = _wait(container)
        finally:
            try:
                container.remove(force=True)
            except Exception:  # already gone
                pass
        return RawRun(
            nonce=nonce,
            stdout=stdout,
            stderr=stderr,
            returncode=state.get("ExitCode"),
            wall_timed_out=timed_out,
            stalled=stalled,
            output_exceeded=exceeded,
            oom_killed=bool(state.get("OOMKilled")),
            duration=time.monotonic() - started,
        )

    def create(self, job: Job, *, serve: bool = False, client=None):  # noqa: ANN001, ANN201
        """The container that runs the runner on `job` (created, not started). `serve`: the
        runner grades one run after another (grader.sandbox.warm), and the container is
        labelled so that no grader's sweep takes it for a killed grader's."""
        from docker.types import LogConfig, Ulimit

        limits = job.limits
        grader_dir = Path(__file__).resolve().parent.parent
        runner = ["python", "-P", "-m", "grader.sandbox_runner", "/job"]
        return (client or self.client).containers.create(
            self.tag,
            command=[*runner, *(["--serve"] if serve else []), *job.preload_hint],
            name=f"grade-{uuid.uuid4().hex[:12]}",
            labels={LABEL: WARM if serve else "run"},
            stdin_open=True,  # with StdinOnce (the SDK's default here): if we die, the runner
            # reads EOF and stops
            network_mode="none",
            read_only=True,
            tmpfs=_scratch(limits.shared_tmp_mb, limits.tmp_mb, limits.jobs),
            mem_limit=f"{limits.memory_mb * (limits.jobs + 1)}m",
            memswap_limit=f"{limits.memory_mb * (limits.jobs + 1)}m",
            pids_limit=limits.pids,
            nano_cpus=int(limits.jobs * 1e9),
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            user=f"{SANDBOX_UID}:{SANDBOX_UID}",
            log_config=LogConfig(type=LogConfig.types.NONE),
            ulimits=[
                Ulimit(name="fsize", soft=limits.file_bytes, hard=limits.file_bytes),
                Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
                Ulimit(name="core", soft=0, hard=0),
            ],
            volumes={
                str(job.path): {"bind": "/job", "mode": "ro"},
                str(grader_dir): {"bind": f"{LIB}/grader", "mode": "ro"},
            },
            working_dir="/tmp",
            # No init: the runner is pid 1, so the learner's code can't stop it, and no other
            # process holds the result stream (/proc/1/fd/1 was tini's, and writable).
            init=False,
        )


def _scratch(shared_mb: int, size_mb: int, jobs: int) -> dict[str, str]:
    """/tmp, and a scratch slot for each exercise running at once."""
    slot = f"rw,nosuid,nodev,size={size_mb}m"
    slots = {f"/tmp/slot{i}": slot for i in range(jobs)}
    return {"/tmp": f"rw,nosuid,nodev,size={shared_mb}m", **slots}


def _read_frames(
    sock, deadline: float, cap: int, progress: Progress
) -> tuple[bytes, bytes, bool, bool, bool]:
    """Demultiplex Docker's attach stream (8-byte headers) until EOF, the deadline, a stall
    or the cap."""
    buffer = bytearray()
    out, err = bytearray(), bytearray()
    timed_out = exceeded = stalled = False
    with selectors.DefaultSelector() as sel:
        sel.register(sock, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            remaining = deadline - now
            if progress.stalled(now):
                timed_out = stalled = True
                break
            if remaining <= 0:
                timed_out = True
                break
            if not sel.select(timeout=min(remaining, 0.5)):
                continue
            chunk = sock.recv(65536)
            if not chunk:
                break
            buffer.extend(chunk)
            for stream, payload in demultiplex(buffer):
                if stream == 2:
                    err.extend(payload[: max(0, STDERR_CAP - len(err))])
                else:
                    out.extend(payload)
                    progress.feed(payload, time.monotonic())
            if len(out) > cap:
                exceeded = True
                break
    try:
        sock.close()
    except OSError:
        pass
    return bytes(out[:cap]), bytes(err), timed_out, exceeded, stalled


def demultiplex(buffer: bytearray) -> list[tuple[int, bytes]]:
    """The whole frames of Docker's attach stream at the start of `buffer` (8-byte headers:
    stream, size), removed from it: (stream, payload) pairs, 2 being stderr."""
    frames = []
    while len(buffer) >= 8:
        stream, size = struct.unpack(">BxxxL", buffer[:8])
        if len(buffer) < 8 + size:
            break
        frames.append((stream, bytes(buffer[8 : 8 + size])))
        del buffer[: 8 + size]
    return frames


def _kill(container) -> None:
    """Kill by name; a kill can race the container's own exit, so retry briefly."""
    for _ in range(3):
        try:
            container.kill()
            return
        except Exception:
            time.sleep(0.1)


def _wait(container) -> dict:
    try:
        container.wait(timeout=10)
    except Exception:
        _kill(container)
    container.reload()
    return container.attrs.get("State", {})


STALE_SECONDS = 3600  # far beyond any run's wall time


def sweep(client, min_age: float = 60) -> int:
    """Remove containers a killed grader left behind (found by label). A container younger
    than a minute may belong to a grader running beside us; a running one is left alone until
    it is far older than any run can be, and a kept-warm one while it runs (its keeper stops
    it)."""
    removed = 0
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        kind = container.labels.get(LABEL)
        age = _age(container.attrs.get("Created", ""))
        state = container.attrs.get("State", "")  # "running" in a listing, a dict when inspected
        running = state == "running" if isinstance(state, str) else bool(state.get("Running"))
        if kind not in ("run", WARM) or age < min_age:
            continue
        if running and (kind == WARM or age < STALE_SECONDS):
            continue
        try:
            container.remove(force=True)
            removed += 1
        except Exception:
            pass
    return removed


def _age(created: str | int | float) -> float:
    """Seconds since `created`: a Unix time (listings) or an ISO string (inspection)."""
    from datetime import UTC, datetime

    if isinstance(created, int | float):
        return time.time() - created
    try:
        when = datetime.fromisoformat(str(created)[:26].rstrip("Z") + "+00:00")
    except ValueError:
        return 0.0
    return (datetime.now(UTC) - when).total_seconds()
