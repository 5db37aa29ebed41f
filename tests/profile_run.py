"""Where grading time goes: the references of the selected exercises, run by the warm runner with
a timing plugin (and, with --cprofile, cProfile) in every child. Prints, never asserts.

    python tests/profile_run.py [SELECTOR ...] [--jobs N] [--cprofile] [--top N]

It runs the sandbox runner as `--sandbox none` does (the references are trusted), and reports
per exercise: tests, wall time of pytest.main in the child, CPU time of the child; per fixture:
the setup time summed over every test that used it; per test: setup + call + teardown. With
--cprofile, the functions with the most cumulative time over all children. PROFILE_PYTEST_ARGS
(a JSON list) adds pytest arguments to every child's run, to try a change before making it, and
PROFILE_PYTHONPATH where a plugin it names (`-p name`) can be imported from; PROFILE_SAVE, a
file to keep the merged cProfile statistics in.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_PATH = "PROFILE_PYTHONPATH"

# Runs inside the runner's process: wraps pytest.main (inherited by every forked child) so that
# each child times its tests and fixtures and writes them, with its own CPU time, to OUT.
HOOK = r"""
import cProfile, json, os, resource, sys, time
out, profile = sys.argv[1], sys.argv[2] == "1"
sys.argv = [sys.argv[0], *sys.argv[3:]]
from grader import sandbox_runner

started = time.monotonic()
_preload = sandbox_runner.preload

def preload(extra):
    _preload(extra)
    with open(os.path.join(out, "parent.json"), "w") as fh:
        json.dump({"preload": time.monotonic() - started}, fh)

sandbox_runner.preload = preload


class Timing:
    # per test and per fixture durations, and the CPU time of each phase of the session

    def __init__(self):
        self.tests, self.fixtures, self.marks = {}, {}, {}

    def mark(self, name):
        self.marks.setdefault(name, time.process_time())

    def pytest_sessionstart(self, session):
        self.mark("configured")

    def pytest_collection_finish(self, session):
        self.mark("collected")

    def pytest_runtest_logstart(self, nodeid, location):
        self.mark("first test")

    def pytest_runtest_logfinish(self, nodeid, location):
        self.marks["last test"] = time.process_time()

    def pytest_runtest_logreport(self, report):
        self.tests.setdefault(report.nodeid, {})[report.when] = report.duration

    stack = []  # time spent in the fixtures each running fixture setup requested

    def pytest_fixture_setup(self, fixturedef, request):
        t0 = time.perf_counter()
        self.stack.append(0.0)
        yield
        elapsed = time.perf_counter() - t0
        nested = self.stack.pop()
        if self.stack:
            self.stack[-1] += elapsed
        name = fixturedef.argname
        total, count = self.fixtures.get(name, (0.0, 0))
        self.fixtures[name] = (total + elapsed - nested, count + 1)

    pytest_fixture_setup.hookwrapper = True


def wrap():
    import pytest

    real = pytest.main

    def main(args, plugins=()):
        timing = Timing()
        unit = os.path.basename(os.getcwd()) + "-" + str(os.getpid())
        for i, arg in enumerate(args):
            if arg == "--rootdir":
                unit = os.path.basename(args[i + 1]) + "-" + str(os.getpid())
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        timing.mark("start")
        before = set(sys.modules)
        prof = cProfile.Profile(time.thread_time) if profile else None  # CPU, not waits
        threads = []  # the TestClient's event loop runs in threads of its own: profile them too
        if prof:
            import threading

            def start(*_args):
                thread_prof = cProfile.Profile(time.thread_time)
                threads.append(thread_prof)
                thread_prof.enable()

            threading.setprofile(start)
            prof.enable()
        def dump():
            if prof:
                prof.disable()
                prof.dump_stats(os.path.join(out, unit + ".prof"))
                for i, thread_prof in enumerate(threads):
                    thread_prof.dump_stats(os.path.join(out, f"{unit}-t{i}.prof"))
            timing.marks["end"] = time.process_time()
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
            record = {
                "unit": unit.rsplit("-", 1)[0],
                "wall": time.perf_counter() - t0,
                "cpu": (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime),
                "tests": timing.tests,
                "fixtures": timing.fixtures,
                "marks": timing.marks,
                "imported": sorted(  # library modules the child imported itself
                    name
                    for name, mod in list(sys.modules.items())
                    if name not in before
                    and ("site-packages" in str(getattr(mod, "__file__", ""))
                         or str(getattr(mod, "__file__", "")).startswith("/usr/lib/python3"))
                ),
            }
            with open(os.path.join(out, unit + ".json"), "w") as fh:
                json.dump(record, fh)

        if not DUMPS:  # a nested pytest.main (a learner's own tests) returns as usual
            DUMPS.append(dump)
        extra = json.loads(os.environ.get("PROFILE_PYTEST_ARGS", "[]"))  # what-if runs
        try:
            return real([*args, *extra], plugins=[*plugins, timing])
        finally:
            dump()

    pytest.main = main


DUMPS = []  # the child's outermost run records itself as the reporter ends the child


def exit_child(code):
    for dump in DUMPS:
        dump()
    os._exit(code)


# the reporter ends each child through this once its last record is written
sandbox_runner._exit_child = exit_child
_pre2 = sandbox_runner.preload

def preload_then_wrap(extra):  # the runner preloads twice: wrap pytest.main once
    _pre2(extra)
    if not getattr(sandbox_runner, "_timed", False):
        sandbox_runner._timed = True
        wrap()

sandbox_runner.preload = preload_then_wrap
sys.exit(sandbox_runner.main(sys.argv[1]))
"""


def stage_references(selectors: list[str], jobs: int):
    sys.path.insert(0, str(ROOT))
    from grader.catalog import load_catalog
    from grader.staging import Limits, Unit, stage

    exercises = load_catalog().select(selectors) if selectors else load_catalog().exercises
    units = [
        Unit(f"{e.id}@reference", e, [e.solution_root], skip=("wrong", "alternatives"))
        for e in exercises
    ]
    return stage(units, Limits(jobs=jobs), nproc_rlimit=False), len(units)


def run(job, out: Path, profile: bool) -> tuple[float, str]:
    scratch = job.root / "scratch"
    scratch.mkdir(exist_ok=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get(PLUGIN_PATH)])),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "PROFILE_PYTEST_ARGS": os.environ.get("PROFILE_PYTEST_ARGS", "[]"),
    }
    argv = [sys.executable, "-P", "-c", HOOK, str(out), "1" if profile else "0", str(job.path)]
    started = time.monotonic()
    pipe = subprocess.PIPE
    proc = subprocess.Popen(argv, env=env, stdin=pipe, stdout=pipe, cwd=scratch)
    assert proc.stdin and proc.stdout
    proc.stdin.write(b"profilenonce\n")  # stdin stays open: the runner stops when it closes
    proc.stdin.flush()
    frames = proc.stdout.read()
    proc.stdin.close()
    proc.wait()
    return time.monotonic() - started, frames.decode(errors="replace")


def report(out: Path, wall: float, frames: str, top: int, profile: bool) -> None:
    records = [json.loads(p.read_text()) for p in sorted(out.glob("*.json")) if p.stem != "parent"]
    parent = json.loads((out / "parent.json").read_text())
    failed = [line[:160] for line in frames.splitlines() if '"outcome": "failed"' in line] + [
        line[:160] for line in frames.splitlines() if '"outcome": "error"' in line
    ]
    tests = sum(len(r["tests"]) for r in records)
    cpu = sum(r["cpu"] for r in records)
    child_wall = sum(r["wall"] for r in records)
    print(
        f"{len(records)} exercises, {tests} tests, whole run {wall:.2f} s wall; runner start + "
        f"preload {parent['preload']:.2f} s; pytest.main in the children: {child_wall:.2f} s wall, "
        f"{cpu:.2f} s CPU ({1000 * cpu / max(tests, 1):.1f} ms CPU per test)"
    )
    if failed:
        print(f"NOT ALL PASSED: {failed[:3]}")
    phases = defaultdict(float)
    per_test = []
    for r in records:
        for nodeid, parts in r["tests"].items():
            for when, seconds in parts.items():
                phases[when] += seconds
            per_test.append((sum(parts.values()), r["unit"], nodeid.split("::")[-1], parts))
    in_tests = sum(phases.values())
    print(
        f"inside tests: setup {phases['setup']:.2f} s, call {phases['call']:.2f} s, teardown "
        f"{phases['teardown']:.2f} s; outside tests (config, collection, learner import, "
        f"session end): {child_wall - in_tests:.2f} s"
    )
    order = ["start", "configured", "collected", "first test", "last test", "end"]
    labels = ["config", "collection", "to 1st test", "the tests", "session end"]
    cpu_phases = defaultdict(float)
    for r in records:
        marks = r.get("marks", {})
        for label, a, b in zip(labels, order, order[1:], strict=False):
            if a in marks and b in marks:
                cpu_phases[label] += marks[b] - marks[a]
    n = max(len(records), 1)
    print(
        "CPU per exercise by phase (ms): "
        + ", ".join(f"{k} {1000 * v / n:.0f}" for k, v in cpu_phases.items())
    )
    print(f"\nexercises by CPU ({'cProfile on: inflated' if profile else 'no profiler'}):")
    print(f"{'exercise':44} {'tests':>5} {'wall ms':>8} {'cpu ms':>7} {'cpu/test':>8}")
    for r in sorted(records, key=lambda r: -r["cpu"])[:top]:
        n = len(r["tests"])
        print(
            f"{r['unit']:44} {n:5} {1000 * r['wall']:8.0f} {1000 * r['cpu']:7.0f} "
            f"{1000 * r['cpu'] / max(n, 1):8.1f}"
        )
    fixtures: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for r in records:
        for name, (seconds, count) in r["fixtures"].items():
            fixtures[name][0] += seconds
            fixtures[name][1] += count
    print("\nfixtures by setup time (summed; its own time, without the fixtures it requests):")
    for name, (seconds, count) in sorted(fixtures.items(), key=lambda kv: -kv[1][0])[:top]:
        each = 1000 * seconds / count
        print(f"  {name:32} {1000 * seconds:8.0f} ms  {count:5} setups  {each:6.2f} ms each")
    imported = defaultdict(int)
    for r in records:
        for name in r.get("imported", []):
            imported[name] += 1
    if imported:
        print("\nlibrary modules the children imported themselves (not preloaded), by exercises:")
        tops = defaultdict(int)
        for name, count in imported.items():
            if "." not in name:
                tops[name] = count
        for name, count in sorted(tops.items(), key=lambda kv: -kv[1])[:top]:
            print(f"  {count:4}  {name}")
    print("\nslowest tests (setup + call + teardown):")
    for total, unit, name, parts in sorted(per_test, reverse=True)[:top]:
        detail = " ".join(f"{k} {1000 * v:.0f}" for k, v in parts.items())
        print(f"  {1000 * total:7.0f} ms  {unit} {name}  ({detail})")
    if profile:
        import pstats

        files = [str(p) for p in out.glob("*.prof")]
        stats = None
        for f in files:
            try:
                stats = pstats.Stats(f) if stats is None else stats.add(f)
            except (EOFError, ValueError, TypeError):  # a thread still running at dump time
                continue
        if stats is None:
            print("\ncProfile: no child left its statistics (each dumps them as it exits)")
            return
        if os.environ.get("PROFILE_SAVE"):  # for pstats' print_callers and the like
            stats.dump_stats(os.environ["PROFILE_SAVE"])
        print("\ncProfile over every child's pytest.main (cumulative):")
        stats.sort_stats("cumulative").print_stats(top * 2)
        stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("selectors", nargs="*")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    job, _count = stage_references(args.selectors, args.jobs)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            os.chmod(out, 0o755)
            wall, frames = run(job, out, args.cprofile)
            report(out, wall, frames, args.top, args.cprofile)
    finally:
        job.cleanup()


if __name__ == "__main__":
    main()
