"""Timing figures for `make bench`: each figure next to its target, then the cost of every
exercise, so that the next slow suite is visible. Printed, never asserted.

Figures (the references of the course's exercises, graded as a student's work):
  grade 3.2      a student grading a topic (3 exercises) end to end, in the sandbox
                 (median of RUNS): in a sandbox started for it, and in the one the previous
                 grading kept warm; beside one plain `pytest` process per exercise
  batch          one student's first BATCH exercises through `grade batch --jobs 1`
  plain pytest   the same suites, each in its own `pytest` process (sum of pytest's own times)
Then one line per exercise of the batch (tests, seconds, ms per test), costliest first, from
`grade run --json` on the same references, and the CPU spent per hidden test.

Wall times on a busy machine are inflated; the CPU columns (the process and all it waited
for) are steadier. BASE=/path/to/another/checkout measures that checkout's grader too, in the
same run, interleaved (a "before" column), on this checkout's exercises (OWN_CATALOG=1: each
tree on its own, so that changes to the hidden suites count too). Environment: RUNS (default
5), BATCH (default 45, `all` for every exercise), SANDBOX (default bwrap), TOP (rows of the
per-exercise table, default all), PLAIN=0 skips the plain-pytest reference (the slowest part),
STUDENTS=N adds a synthetic class of N students (reference, starter and wrong variant in turn)
checked for the expected scores.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADE = [sys.executable, "-P", "-m", "cli.main"]  # -P: the tree on PYTHONPATH, not the cwd
TOPIC = "3.2"
TARGETS = {
    "topic": 1.0,  # s, `grade 3.2` end to end
    "per_exercise": 0.2,  # s per exercise through `grade batch --jobs 1`
}
PYTEST_INI = "[pytest]\nfilterwarnings =\n    ignore::DeprecationWarning\n"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one command, with every process it waited for."""
    cpu = children_cpu()
    started = time.monotonic()
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started, children_cpu() - cpu


def stop_warm_sandboxes() -> None:
    """The keepers the warm gradings left (a tree without them has none)."""
    from grader.sandbox.warm import stop_keepers

    stop_keepers()


def spread(samples: list[float]) -> str:
    return f"{min(samples):6.2f} / {statistics.median(samples):6.2f} / {max(samples):6.2f}"


def fill_workspace(workspace: Path, exercises, env: dict[str, str]) -> None:
    """Start the exercises, then put each reference's files in place of the starter's."""
    ids = [e.id for e in exercises]
    subprocess.run([*GRADE, "start", *ids], env=env, stdout=subprocess.DEVNULL, check=True)
    for exercise in exercises:
        copy_reference(exercise, workspace / exercise.meta.name)


def copy_reference(exercise, target: Path) -> None:
    for name in exercise.meta.files:
        source = exercise.solution_root / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / name)


def plain_pytest(exercise, folder: Path, ini: Path, env: dict[str, str]) -> tuple[float, float]:
    """One fresh `pytest` process on the hidden suite: (its own "in N s", wall of the process)."""
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(exercise.tests_dir),
            "-c",
            str(ini),
            "--rootdir",
            str(exercise.tests_dir),
            "-p",
            "grader.pytest_plugin",
            "-p",
            "no:cacheprovider",
            "-q",
            "--submission",
            str(folder),
        ],
        env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
        cwd=folder,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    found = re.findall(r" in ([0-9.]+)s", done.stdout)
    return (float(found[-1]) if found else wall), wall


def run_json(argv: list[str], env: dict[str, str]) -> tuple[dict, float, float]:
    cpu = children_cpu()
    started = time.monotonic()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    wall, cpu = time.monotonic() - started, children_cpu() - cpu
    return (json.loads(done.stdout) if done.stdout.strip() else {"exercises": []}), wall, cpu


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from grader.catalog import load_catalog

    runs = int(os.environ.get("RUNS", "5"))
    batch_size = os.environ.get("BATCH", "45")
    sandbox = os.environ.get("SANDBOX", "bwrap")
    plain = os.environ.get("PLAIN", "1") != "0"
    # BASE=/path/to/another/checkout measures its grader too, interleaved with this one's
    trees = {"now": ROOT}
    if os.environ.get("BASE"):
        trees = {"before": Path(os.environ["BASE"]).resolve(), "now": ROOT}
    catalog = load_catalog()
    every = catalog.exercises
    batch = every if batch_size == "all" else every[: int(batch_size)]
    topic = catalog.select([TOPIC])
    print(
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; sandbox {sandbox}; seconds as "
        "min / median / max; CPU = the command and every process it waited for"
    )
    topic_wall = {(kind, t): [] for t in trees for kind in ("cold", "warm")}
    topic_cpu = {(kind, t): [] for t in trees for kind in ("cold", "warm")}
    batch_time: dict[str, tuple[float, float]] = {}
    reports: dict[str, tuple[dict, float, float]] = {}
    plain_topic: list[float] = []
    plain_own = plain_wall = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        envs = {
            name: {
                **os.environ,
                "PYTHONPATH": str(tree),
                # every tree grades this checkout's exercises, or with OWN_CATALOG=1 its own
                # (the before column then has the hidden suites of that time too)
                "GRADE_CATALOG": str(tree if os.environ.get("OWN_CATALOG") == "1" else ROOT),
                "GRADE_WORKSPACE": str(Path(tmp) / "ws"),
                "GRADE_KEEP_WARM": "0",  # each grading starts its sandbox, but where said
            }
            for name, tree in trees.items()
        }
        env = envs["now"]
        ws = Path(tmp) / "ws"
        chosen = sorted({e.id: e for e in [*topic, *batch]}.values(), key=every.index)
        fill_workspace(ws, chosen, env)
        ini = Path(tmp) / "pytest.ini"
        ini.write_text(PYTEST_INI)

        # 1. grade 3.2 (each tree in turn): cold, then with the sandbox kept warm by the
        # grading before (one untimed grading first); then one plain pytest per exercise
        topic_argv = [*GRADE, TOPIC, "--sandbox", sandbox]
        for name in trees:
            timed(topic_argv, {**envs[name], "GRADE_KEEP_WARM": "600"})
        for i in range(runs):
            for name in trees if i % 2 == 0 else reversed(trees):
                for kind, keep in (("cold", "0"), ("warm", "600")):
                    wall, cpu = timed(topic_argv, {**envs[name], "GRADE_KEEP_WARM": keep})
                    topic_wall[kind, name].append(wall)
                    topic_cpu[kind, name].append(cpu)
            started = time.monotonic()
            for exercise in topic:
                plain_pytest(exercise, ws / exercise.meta.name, ini, env)
            plain_topic.append(time.monotonic() - started)
        stop_warm_sandboxes()

        # 2. one student's references through `grade batch --jobs 1`, then the same through
        # `grade run --json --jobs 1` for the per-exercise table and the CPU per test
        subs = Path(tmp) / "subs" / "student"
        subs.mkdir(parents=True)
        for exercise in batch:
            copy_reference(exercise, subs / exercise.meta.name)
        selectors = [e.id for e in batch]
        # twice per tree, in the order A B B A, keeping the faster of each: a busy machine
        # slows whichever runs while it is busy, not one tree
        order = [*trees, *reversed(trees)] if len(trees) > 1 else [*trees, *trees]
        for i, name in enumerate(order):
            db = f"sqlite:///{Path(tmp) / f'gradebook{i}.db'}"
            argv = [*GRADE, "batch", str(subs.parent), *selectors, "--db", db, "--jobs", "1"]
            wall, cpu = timed([*argv, "--sandbox", sandbox], envs[name])
            best = batch_time.get(name, (wall, cpu))
            batch_time[name] = (min(best[0], wall), min(best[1], cpu))
        for name in trees:
            argv = [*GRADE, *selectors, "--sandbox", sandbox, "--jobs", "1", "--json"]
            reports[name] = run_json(argv, envs[name])

        # 3. the same suites, each in a plain pytest process
        if plain:
            for exercise in batch:
                own, wall = plain_pytest(exercise, ws / exercise.meta.name, ini, env)
                plain_own += own
                plain_wall += wall

    n = len(batch)
    names = list(trees)
    head = "".join(f"{name:>26}" for name in names)
    print(f"\n{'figure':64}{head}   target")

    def row(label: str, values: list[str], target: str = "") -> None:
        cells = "".join(f"{v:>26}" for v in values)
        print(f"{label:64}{cells}   {target}")

    for kind, how in (("cold", "a sandbox started for it"), ("warm", "the sandbox kept warm")):
        row(
            f"grade {TOPIC}: 3 references, {sandbox}, {how} (n={runs})",
            [f"{spread(topic_wall[kind, t])} s" for t in names],
            f"< {TARGETS['topic']:.1f} s",
        )
        row("  its CPU, median", [f"{statistics.median(topic_cpu[kind, t]):.2f} s" for t in names])
    row(
        f"  one plain pytest process per exercise (n={runs}, once)",
        [f"{spread(plain_topic)} s"] + [""] * (len(names) - 1),
        "(reference point)",
    )
    row(
        f"{n} references through grade batch --jobs 1, {sandbox} (best of 2)",
        [f"{batch_time[t][0]:.1f} s = {batch_time[t][0] / n:.3f}/ex" for t in names],
        f"< {TARGETS['per_exercise']} s/ex (< {TARGETS['per_exercise'] * n:.0f} s)",
    )
    row(
        "  its CPU",
        [f"{batch_time[t][1]:.1f} s = {batch_time[t][1] / n:.3f}/ex" for t in names],
    )
    if plain:
        row(
            f"the same {n} suites, one plain pytest each: sum of 'in N s'",
            [f"{plain_own:.1f} s ({plain_wall:.0f} s wall)"] + [""] * (len(names) - 1),
            "(reference point)",
        )
    for name in names:
        report, wall, cpu = reports[name]
        rows = report["exercises"]
        tests = sum(len(r["tests"]) for r in rows) or 1
        full = sum(1 for r in rows if r["score"] >= r["max_score"] > 0)
        print(
            f"  {name}: grade run --jobs 1 of the {n}: {full}/{len(rows)} at full marks, "
            f"{tests} tests, {wall:.1f} s wall, {cpu:.1f} s CPU = {1000 * cpu / tests:.1f} ms "
            "CPU per test (sandbox start included)"
        )
    rows = reports["now"][0]["exercises"]
    top = int(os.environ.get("TOP", "0") or 0) or len(rows)
    print(
        f"\nper exercise, costliest first (grade run --json --jobs 1, {sandbox}; "
        "seconds in the sandbox, wall):"
    )
    print(f"  {'exercise':10} {'tests':>5} {'seconds':>8} {'ms/test':>8}  title")
    for r in sorted(rows, key=lambda r: -r["duration"])[:top]:
        count = len(r["tests"]) or 1
        mark = "" if r["score"] >= r["max_score"] > 0 else "  (not full marks!)"
        print(
            f"  {r['id']:10} {len(r['tests']):5} {r['duration']:8.3f} "
            f"{1000 * r['duration'] / count:8.1f}  {r['title'][:48]}{mark}"
        )
    students = int(os.environ.get("STUDENTS", "0"))
    if students:
        class_batch(students, sandbox)


# ---------------------------------------------------------------- a synthetic class (STUDENTS=N)


def synthetic_class(root: Path, students: int, exercises=None) -> dict[tuple[str, str], bool]:
    """Student i submits, for every exercise (or those given), the reference, the starter or a
    wrong variant. Returns whether each (student, exercise) must score full marks."""
    from grader.catalog import load_catalog
    from grader.variants import load, materialise

    exercises = load_catalog().exercises if exercises is None else exercises
    expected = {}
    variants = root.parent / f"{root.name}-variants"
    for exercise in exercises:
        if exercise.wrong_patches:
            materialise(
                load(exercise.wrong_patches[0]), exercise.solution_root, variants / exercise.id
            )
    for i in range(students):
        for exercise in exercises:
            kind = i % 3
            if kind == 0 or (kind == 2 and not exercise.wrong_patches):
                sources = [exercise.solution_root]
            elif kind == 1:
                sources = [exercise.starter_dir]
            else:
                sources = [variants / exercise.id]
            expected[(f"student{i:03d}", exercise.id)] = sources == [exercise.solution_root]
            target = root / f"student{i:03d}" / exercise.meta.name
            target.mkdir(parents=True)
            for source in sources:
                for name in exercise.meta.files:
                    if (source / name).is_file():
                        (target / name).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy(source / name, target / name)
    return expected


def class_batch(students: int, sandbox: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADE_WORKSPACE": str(Path(tmp) / "ws")}
        subs = Path(tmp) / "submissions"
        expected = synthetic_class(subs, students)
        exercises = len(expected) // students
        db = f"sqlite:///{Path(tmp) / 'gradebook.db'}"
        started = time.monotonic()
        result = subprocess.run(
            [*GRADE, "batch", str(subs), "--db", db, "--sandbox", sandbox, "--json"],
            env=env,
            capture_output=True,
            text=True,
        )
        total = time.monotonic() - started
        report = json.loads(result.stdout)
        wrong = wrong_scores(expected, Path(tmp) / "export.json", db, env)
        print(
            f"\nclass batch ({report['sandbox']}): {students} students x {exercises} exercises in "
            f"{total:.1f} s, {total / (students * exercises):.3f} s per exercise; "
            f"{report['counts']}; scores as expected: {'yes' if not wrong else wrong[:5]}"
        )


def wrong_scores(expected, out: Path, db: str, env) -> list[str]:
    """Cells whose score contradicts the submission: full marks exactly for references."""
    subprocess.run(
        [*GRADE, "export", "json", "--db", db, "-o", str(out)],
        env=env,
        capture_output=True,
        check=True,
    )
    table = {s["student"]: s["exercises"] for s in json.loads(out.read_text())["students"]}
    wrong = []
    for (student, exercise), full in expected.items():
        cell = table.get(student, {}).get(exercise)
        got_full = bool(cell) and cell["score"] >= cell["max_score"] > 0
        if got_full != full:
            wrong.append(f"{student}/{exercise}")
    return wrong


if __name__ == "__main__":
    main()
