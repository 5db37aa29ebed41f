"""`grade watch` in a real terminal (a pty of 80×24): the spinner while grading, a first screen
that fits, a save graded again, Ctrl-C ending it at once."""

from __future__ import annotations

import fcntl
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import FIXTURE_CATALOG

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = FIXTURE_CATALOG / "solutions/9.1-fixture-topic/9.1.1-adder/calc.py"
CLEAR = "\x1b[2J"
ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07]*\x07|[()][A-Z0-9]|[=>])")


class Terminal:
    """A command on a pty of 24 rows and 80 columns, its controlling terminal."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

        def controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            # As in a person's shell: a test run started in the background (`cmd &` in a
            # script) has SIGINT ignored, and that would pass on to the command.
            signal.signal(signal.SIGINT, signal.SIG_DFL)

        self.process = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=ROOT,
            preexec_fn=controlling_terminal,
        )
        os.close(slave)
        self.output = ""

    def read_until(self, pattern: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.screen()):
            left = deadline - time.monotonic()
            assert left > 0, f"no {pattern!r} on screen:\n{self.screen()}"
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if ready:
                try:
                    self.output += os.read(self.master, 65536).decode(errors="replace")
                except OSError:  # the command ended
                    break

    def screen(self) -> str:
        """What shows since the last clear, without escape sequences."""
        text = self.output.rsplit(CLEAR, 1)[-1]
        return ANSI.sub("", text).replace("\r", "")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        os.close(self.master)


@pytest.fixture
def workspace(tmp_path, monkeypatch, bwrap):
    monkeypatch.setenv("GRADE_CATALOG", str(FIXTURE_CATALOG))
    monkeypatch.setenv("GRADE_WORKSPACE", str(tmp_path / "ws"))
    assert CliRunner().invoke(app, ["start", "9.1.1"]).exit_code == 0
    return tmp_path / "ws"


def test_watch_in_a_terminal(workspace):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workspace.parent),
        "TERM": "xterm-256color",
        "PYTHONPATH": str(ROOT),
        "GRADE_CATALOG": str(FIXTURE_CATALOG),
        "GRADE_WORKSPACE": str(workspace),
    }
    argv = [sys.executable, "-m", "cli.main", "watch", "9.1.1", "--sandbox", "bwrap"]
    terminal = Terminal(argv, env)
    try:
        terminal.read_until(r"9\.1\.1 Add and negate: 0/8 \(best 0, 1 try\)[\s\S]*hint:")
        assert "grading 9.1.1" in ANSI.sub("", terminal.output)  # the spinner, before
        lines = terminal.screen().rstrip("\n").splitlines()
        assert len(lines) <= 24 and max(len(line) for line in lines) <= 80, lines
        assert "your code raised: NotImplementedError" in terminal.screen()
        shutil.copy(SOLUTION, workspace / "9.1.1-adder" / "calc.py")
        terminal.read_until(r"9\.1\.1 Add and negate: 8/8 \(best 8, 2 tries\)")
        os.write(terminal.master, b"\x03")  # Ctrl-C, as a person types it
        started = time.monotonic()
        assert terminal.process.wait(timeout=10) in (0, -signal.SIGINT)
        assert time.monotonic() - started < 5
    finally:
        terminal.close()
