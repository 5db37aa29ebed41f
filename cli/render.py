"""Everything the terminal shows. The only module that imports Rich.

Text that a learner or a submission's file name could have written (student names, test
messages, run messages, review reasons) is shown through `_plain`: cleaned of escape sequences
and surrogates, and never read as Rich markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from grader.check import CheckReport
from grader.models import CodeError, ExerciseResult, GradeReport, RunStatus, TestStatus
from grader.text import clean, clean_line
from grader.workspace import Progress, StartAction, StartOutcome

if TYPE_CHECKING:  # the batch engine pulls in SQLAlchemy: not for `grade 2.1`
    from grader.batch import BatchReport, StudentOutcome
    from grader.class_report import ClassReport

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

PROGRESS_STYLE = {
    Progress.not_started: ("·", "dim"),
    Progress.started: ("○", "yellow"),
    Progress.edited: ("◐", "yellow"),
    Progress.failing: ("✗", "red"),
    Progress.passed: ("✓", "green"),
}
TEST_STYLE = {
    TestStatus.passed: ("✓", "green"),
    TestStatus.failed: ("✗", "red"),
    TestStatus.error: ("!", "red"),
    TestStatus.timeout: ("⏱", "magenta"),
    TestStatus.oom: ("M", "magenta"),
    TestStatus.crash: ("☠", "magenta"),
    TestStatus.skipped: ("-", "yellow"),
}


@contextmanager
def busy(text: str) -> Iterator[None]:
    """A spinner on a terminal while the sandbox grades; nothing when output is piped."""
    if not err_console.is_terminal:
        yield
        return
    with err_console.status(Text(text), spinner="dots"):
        yield


def warning(text: str) -> None:
    err_console.print(f"[bold yellow]warning:[/] {text}")


def _plain(text: object, style: str = "", one_line: bool = False) -> Text:
    """Learner-made text as it is: no markup, no escape sequence, no surrogate."""
    return Text(clean_line(text) if one_line else clean(text), style=style)


def _line(*parts: str | Text) -> Text:
    """One printed line from markup (ours) and plain Text (theirs)."""
    return Text.assemble(*(Text.from_markup(p) if isinstance(p, str) else p for p in parts))


def exercise_list(rows: list[dict], sections: dict[str, str]) -> None:
    tree = Tree("[bold]FastAPI & SQLAlchemy Exercises[/]")
    section_node = topic_node = None
    section = topic = None
    for row in rows:
        if row["section"] != section:
            section = row["section"]
            section_node = tree.add(f"[bold]{section}. {sections.get(section, '')}[/]")
            topic = None
        if row["topic"] != topic:
            topic = row["topic"]
            topic_node = section_node.add(f"[cyan]{topic}[/] {escape(row['topic_title'])}")
        mark, style = PROGRESS_STYLE[Progress(row["progress"])]
        score = ""
        if row.get("attempts"):
            score = (
                f" [dim]{row['score']:g}/{row['max_score']:g}, best {row['best_score']:g}, "
                f"{row['attempts']} attempt{'s' if row['attempts'] > 1 else ''}[/]"
            )
        topic_node.add(
            f"[{style}]{mark}[/] {row['id']} {escape(row['title'])} [dim]({row['kind']})[/]{score}"
        )
    console.print(tree)
    counts = {p: sum(1 for r in rows if r["progress"] == p.value) for p in Progress}
    console.print(
        f"{counts[Progress.passed]} passed, {counts[Progress.failing]} failing, "
        f"{counts[Progress.started] + counts[Progress.edited]} in progress, "
        f"{counts[Progress.not_started]} not started"
    )


def lines(*texts: str) -> None:
    """Plain lines (paths, names): printed as they are, never read as markup."""
    for text in texts:
        console.print(_plain(text), soft_wrap=True)


def pack_report(report) -> None:  # noqa: ANN001 (grader.pack.PackReport)
    """What `grade pack student` wrote, and what the teacher does with it next."""
    console.print(
        _line(
            "Wrote ",
            _plain(str(report.out), "bold"),
            f": {plural(len(report.exercises), 'exercise')}, {plural(report.files, 'file')}, "
            "no solutions and no hidden tests.",
        )
    )
    if report.kept:
        console.print(_line("Kept what was there besides: ", _plain(", ".join(report.kept))))
    console.print(
        _line(
            "Hand the folder to your students; they run `grade start …` and "
            "`grade submit … --server ",
            _plain(report.server or "URL", one_line=True),
            " --token …` (tokens: `grade token NAME`).",
        )
    )


def prompt(markdown: str) -> None:
    from rich.markdown import Markdown  # markdown-it: only for the pages that show Markdown

    console.print(Markdown(markdown))


def next_exercise(data: dict) -> None:
    upcoming = data["next"]
    if upcoming is None:
        console.print(f"[green bold]All {plural(data['total'], 'exercise')} pass.[/]")
        return
    console.print(
        _line(
            f"[bold]Next:[/] [bold]{upcoming['id']}[/] ",
            _plain(upcoming["title"], one_line=True),
            f" [dim]({upcoming['progress']}; {data['passed']}/{data['total']} exercises pass)[/]",
        )
    )
    if upcoming["folder"]:
        console.print(_line("  your files: ", _plain(upcoming["folder"], one_line=True)))
    console.print(
        f"  run: [cyan]{upcoming['command']}[/]  [dim](grade show {upcoming['id']}: the prompt)[/]"
    )


def start_outcomes(outcomes: list[StartOutcome]) -> None:
    for outcome in outcomes:
        if outcome.action is StartAction.kept_edits:
            console.print(
                f"[yellow]kept[/] {outcome.id}: {', '.join(outcome.edited_files)} "
                "has your edits (use --force to overwrite; a backup is kept)"
            )
        elif outcome.action is StartAction.overwritten:
            console.print(
                f"[yellow]overwrote[/] {outcome.id}: your edits are saved in {outcome.backup}"
            )
        else:
            console.print(f"[green]{outcome.action.value}[/] {outcome.id} → {outcome.path}")


def grade_report(report: GradeReport, verbose: bool = False) -> None:
    for exercise in report.exercises:
        if exercise.status is RunStatus.not_started:
            console.print(
                _line(
                    f"[dim]·[/] [bold]{exercise.id}[/] ",
                    _plain(exercise.title),
                    ": not started ",
                    _plain(f"({exercise.message})", "dim", one_line=True),
                    "\n",
                )
            )
            continue
        _exercise_table(exercise, verbose)
    passed = sum(1 for e in report.exercises if e.passed)
    style = "green" if report.passed else "red"
    console.print(
        f"[{style} bold]Total: {report.score:g}/{report.max_score:g} points, "
        f"{passed}/{len(report.exercises)} exercises passed[/] "
        f"[dim]({report.sandbox} sandbox, {report.duration:.2f} s)[/]"
    )


def _exercise_table(exercise: ExerciseResult, verbose: bool) -> None:
    """The tests of one exercise; a module of the learner's that could not be loaded is one
    banner instead of a row (and a hint) per test that needed it."""
    broken = exercise.code_error
    if broken:
        console.print(_line(f"[bold]{exercise.id}[/] · ", _plain(exercise.title, one_line=True)))
        _code_error_banner(broken)
    shown = [
        t for t in exercise.tests if not (broken and t.error and t.error.broken == broken.broken)
    ]
    hints: dict[int, str] = {}
    if shown:
        table = Table(
            title=None if broken else _line(f"[bold]{exercise.id}[/] · ", _plain(exercise.title)),
            title_justify="left",
            show_edge=False,
        )
        table.add_column("", width=1)
        table.add_column("test", overflow="fold", ratio=2)
        table.add_column("points", justify="right", no_wrap=True)
        table.add_column("feedback", overflow="fold", ratio=3)
        for test in shown:
            mark, style = TEST_STYLE[test.status]
            message = ""
            if test.status is not TestStatus.passed:
                message = clean(test.message or test.status.value)
                if not verbose:
                    message = (message.splitlines() or [""])[0]
                hints.setdefault(test.task, test.hint)
            table.add_row(
                Text(mark, style=style),
                _plain(test.name.removeprefix("test_").replace("_", " "), one_line=True),
                f"{test.earned:g}/{test.points:g}",
                Text(message, style=style),
            )
        console.print(table)
    if exercise.status is not RunStatus.ok:
        console.print(_line(f"  [magenta]{exercise.status.value}:[/] ", _plain(exercise.message)))
    _tracebacks(shown, verbose)
    _review_lines(exercise.review)
    for task, hint in sorted(hints.items()):
        if hint:
            console.print(_line(f"  [cyan]hint (task {task}):[/] ", _plain(_first_paragraph(hint))))
    if hints:
        console.print(f"  [dim]more: grade hint {exercise.id}[/]")
    style = "green" if exercise.passed else "red"
    timing = f" [dim]in {exercise.duration:.2f} s[/]" if verbose else ""
    console.print(f"  [{style}]{exercise.score:g}/{exercise.max_score:g} points[/]{timing}\n")


def _code_error_banner(error: CodeError) -> None:
    """`main.py, line 3: SyntaxError: ...`, the line, and a caret under the column."""
    frame = error.frames[-1] if error.frames else None
    headline = f"{frame.file}, line {frame.line}: {error.raised}" if frame else error.broken
    console.print(_line("  [red bold]✗[/] ", _plain(headline, "red bold", one_line=True)))
    if frame and frame.source:
        console.print(_line("      ", _plain(frame.source.expandtabs(4))))
        if frame.column > 0:
            offset = len(frame.source[: frame.column - 1].expandtabs(4))
            console.print(Text("      " + " " * offset + "^", style="red bold"))
    console.print("    [dim]the tests need this module: fix it, then grade again[/]")


def _tracebacks(tests: list, verbose: bool) -> None:
    """Where the learner's own code raised, once per distinct error (the first one, or all of
    them with -v): their files' lines only, never the hidden tests'."""
    seen: dict[tuple, list[str]] = {}
    errors = {}
    for test in tests:
        error = test.error
        if test.status is TestStatus.passed or error is None or not error.frames:
            continue
        key = (error.raised, tuple((f.file, f.line) for f in error.frames))
        seen.setdefault(key, []).append(test.name)
        errors.setdefault(key, error)
    for index, (key, names) in enumerate(seen.items()):
        if index and not verbose:
            more = len(seen) - 1
            console.print(f"  [dim]and {plural(more, 'other error')}: add -v to see them[/]")
            break
        error = errors[key]
        count = f" (in {plural(len(names), 'test')})" if len(names) > 1 else ""
        console.print(_line(f"  [red]your code raised{count}:[/] ", _plain(error.raised)))
        for frame in error.frames:
            where = f"{frame.file}, line {frame.line}, in {frame.function}"
            console.print(_line("    ", _plain(where, "dim", one_line=True)))
            if frame.source:
                console.print(_line("      ", _plain(frame.source.strip(), one_line=True)))


def plural(count: int, word: str, many: str = "") -> str:
    """`1 try`, `2 tries`: `many` when the plural is not `word` + s."""
    return f"{count:g} {word if count == 1 else many or word + 's'}"


def _review_lines(reasons: list[str], indent: str = "  ") -> None:
    """A flagged run says so, whatever its score: a teacher should read the submission."""
    for reason in reasons:
        console.print(
            _line(f"{indent}[bold yellow]needs review:[/] ", _plain(reason, one_line=True))
        )


def hints(exercise_id: str, title: str, tasks: list[dict]) -> None:
    from rich.markdown import Markdown

    for task in tasks:
        console.print(
            Panel(
                Markdown(task["hint"]),
                title=escape(f"{exercise_id} · Task {task['id']} – {task['title']}"),
                title_align="left",
            )
        )


def check_report(report: CheckReport) -> None:
    exercises = sorted({row.exercise for row in report.rows})
    problems = [row for row in report.rows if not row.ok]
    if problems:
        table = Table(title="What falls short", title_justify="left")
        table.add_column("exercise")
        table.add_column("variant")
        table.add_column("score", justify="right")
        table.add_column("problem", overflow="fold")
        for row in problems:
            score = f"{row.score:g}/{row.max_score:g}" if row.max_score else ""
            table.add_row(row.exercise, row.variant, score, row.problem)
        console.print(table)
    wrong = [r for r in report.rows if r.variant.startswith("wrong/")]
    alternatives = [r for r in report.rows if r.variant.startswith("alternative/")]
    for slow in report.slow:
        warning(f"slow reference run: {slow} (target: under 2 s)")
    style = "green" if report.ok else "red"
    console.print(
        f"[{style} bold]{'OK' if report.ok else 'FAILED'}[/]: {len(exercises)} exercises, "
        f"{sum(1 for r in report.rows if r.variant == 'reference' and r.ok)} references and "
        f"{sum(1 for r in alternatives if r.ok)}/{len(alternatives)} alternatives at 100%, "
        f"{sum(1 for r in wrong if r.ok)}/{len(wrong)} wrong variants caught, "
        f"{len(problems)} problems [dim]({report.sandbox} sandbox, {report.duration:.1f} s)[/]"
    )


def lint(problems: list[str], count: int) -> None:
    for problem in problems:
        console.print(f"[red]✗[/] {problem}")
    style = "green" if not problems else "red"
    console.print(f"[{style}]{count} exercises, {len(problems)} problems[/]")


def _first_paragraph(text: str) -> str:
    return text.strip().split("\n\n", 1)[0].replace("\n", " ")


@contextmanager
def batch_progress():
    """A progress bar with an ETA; yields the callbacks the batch engine calls."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("[bold]grading[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[last]}"),
        console=console,
    )
    task = progress.add_task("students", total=None, last="")

    def on_start(total: int) -> None:
        progress.update(task, total=total)

    def on_done(outcome: StudentOutcome) -> None:
        last = escape(f"{clean_line(outcome.student)}: {outcome.state}")
        progress.update(task, advance=1, last=f"[dim]{last}[/]")

    def on_stopping() -> None:
        progress.update(task, last="[bold yellow]stopping: killing the running sandboxes…[/]")

    with progress:
        yield on_start, on_done, on_stopping


def batch_report(report: BatchReport, db: str) -> None:
    table = Table(title="Batch", title_justify="left", show_edge=False)
    table.add_column("student")
    table.add_column("state")
    table.add_column("points", justify="right")
    table.add_column("note", overflow="fold")
    style = {"graded": "green", "skipped": "dim", "problem": "yellow", "error": "red"}
    for s in report.students:
        points = f"{s.score:g}/{s.max_score:g}" if s.max_score else ""
        message = s.message
        if s.missing and s.state in ("graded", "skipped"):
            message = f"{message}; " if message else ""
            message += f"missing {len(s.missing)}: {', '.join(s.missing)}"
        note = _plain(message, one_line=True)
        state = Text(s.state, style=style.get(s.state, "red"))
        if s.needs_review:
            state = Text.assemble(state, Text(" needs review", style="bold yellow"))
            reasons = "; ".join(s.review)
            note = Text.assemble(note, "\n" if s.message else "", _plain(reasons, one_line=True))
        table.add_row(_plain(s.student, one_line=True), state, points, note)
    console.print(table)
    counts = report.to_dict()["counts"]
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    flagged = len(report.needs_review)
    if flagged:
        summary += f", [bold yellow]{flagged} need{'s' if flagged == 1 else ''} review[/]"
    console.print(
        f"{plural(len(report.students), 'student')}: {summary} "
        f"[dim]({report.sandbox or 'sandbox'}, {report.duration:.1f} s; gradebook {escape(db)})[/]"
    )
    if report.ignored:
        names = ", ".join(clean_line(n) for n in report.ignored)
        err_console.print(
            _line("[dim]ignored (neither a folder nor a .zip): [/]", _plain(names, "dim"))
        )
    if report.interrupted:
        _batch_interrupted(report, db)


def _batch_interrupted(report: BatchReport, db: str) -> None:
    """What Ctrl-C kept, and how to carry on: on stderr, so that stdout stays the table."""
    kept = sum(1 for s in report.students if s.state == "graded")
    left = report.not_graded
    shown = ", ".join(clean_line(n) for n in left[:8]) + (", …" if len(left) > 8 else "")
    err_console.print(
        _line(
            f"[bold yellow]interrupted:[/] {kept} student{'s' if kept != 1 else ''} graded "
            f"and saved in {escape(db)}; {len(left)} not graded{' (' if left else ''}",
            _plain(shown, one_line=True),
            ")" if left else "",
            ".\nRun the same command again to grade the rest: students already graded are skipped.",
        )
    )


WATCH_TESTS = 3  # failing tests shown for the exercise being worked on


def watch_screen(report: GradeReport, changed: list[str], summary: dict, warning: str = "") -> None:
    """A compact screen that fits a 24-line terminal: one line per graded exercise, then the
    first failing exercise of what changed: its code error or first traceback, up to three
    failing tests and one hint, each on one line."""
    import time

    console.clear()
    console.print(f"[bold]grade watch[/] [dim]{time.strftime('%H:%M:%S')} · Ctrl-C to stop[/]")
    if warning:  # the screen was cleared: say it again, on every screen
        _one_line("[bold yellow]warning:[/] ", _plain(warning, one_line=True))
    for exercise in report.exercises:
        mark, style = ("✓", "green") if exercise.passed else ("✗", "red")
        history = summary.get(exercise.id)
        best = ""
        if history:
            tries = plural(history.attempts, "try", "tries")
            best = f" [dim](best {history.best_score:g}, {tries})[/]"
        _one_line(
            f"[{style}]{mark}[/] [bold]{exercise.id}[/] ",
            _plain(exercise.title, one_line=True),
            f": {exercise.score:g}/{exercise.max_score:g}{best}",
        )
        for reason in exercise.review[:1]:
            _one_line("    [bold yellow]needs review:[/] ", _plain(reason, one_line=True))
    focus = next((e for e in report.exercises if e.id in changed and not e.passed), None)
    if focus is not None:
        console.print()
        _watch_detail(focus)


def _watch_detail(exercise: ExerciseResult) -> None:
    _one_line(f"[bold]{exercise.id}[/] ", _plain(exercise.title, one_line=True))
    if exercise.code_error:
        _code_error_banner(exercise.code_error)
        return
    if exercise.status is not RunStatus.ok:
        _one_line(
            f"  [magenta]{exercise.status.value}:[/] ", _plain(exercise.message, one_line=True)
        )
    failing = [t for t in exercise.tests if t.status is not TestStatus.passed]
    for test in failing[:WATCH_TESTS]:
        message = (clean(test.message or test.status.value).splitlines() or [""])[0]
        name = test.name.removeprefix("test_").replace("_", " ")
        _one_line("  [red]✗[/] ", _plain(f"{name}: {message}", one_line=True))
    if failing[WATCH_TESTS:]:
        more = plural(len(failing) - WATCH_TESTS, "more failing test")
        console.print(f"  [dim]{more}: grade {exercise.id}[/]")
    error = next((t.error for t in failing if t.error and t.error.frames), None)
    if error:
        frame = error.frames[-1]
        _one_line("  [red]your code raised:[/] ", _plain(error.raised, one_line=True))
        where = f"{frame.file}:{frame.line} in {frame.function}: {frame.source.strip()}"
        _one_line("    ", _plain(where, "dim", one_line=True))
    hint = next((t.hint for t in failing if t.hint), "")
    if hint:
        _one_line("  [cyan]hint:[/] ", _plain(_first_paragraph(hint), one_line=True))


def _one_line(*parts: str | Text) -> None:
    """A line cut to the terminal's width (…), never wrapped: the screen keeps its height."""
    console.print(_line(*parts), no_wrap=True, overflow="ellipsis", crop=True)


def class_report(report: ClassReport) -> None:
    """`grade report`: the class at a glance, then what to go over in class."""
    if not report.students:
        console.print("no student in the gradebook yet: run `grade batch SUBMISSIONS` first")
        return
    console.print(
        f"[bold]{report.students} student{'s' if report.students != 1 else ''}[/]: "
        f"mean {report.mean:g}/{report.max_score:g} ({report.mean_percent:g}%), "
        f"median {report.median:g}"
    )
    if report.not_graded:
        console.print(
            _line("[yellow]could not be graded:[/] ", _plain(", ".join(report.not_graded)))
        )
    table = Table(title="Per exercise", title_justify="left", show_edge=False)
    for name, justify in (("exercise", "left"), ("mean", "right"), ("median", "right"),
                          ("pass rate", "right"), ("missing", "right")):  # fmt: skip
        table.add_column(name, justify=justify)
    for e in report.exercises:
        table.add_row(
            _line(f"[bold]{e.id}[/] ", _plain(e.title, one_line=True)),
            f"{e.mean:g}/{e.max_score:g}",
            f"{e.median:g}",
            f"{100 * e.pass_rate:.0f}%",
            str(e.missing),
        )
    console.print(table)
    if not report.most_failed:
        return
    failed = Table(title="Most-failed tests", title_justify="left", show_edge=False)
    failed.add_column("test", overflow="fold", ratio=2)
    failed.add_column("failed", justify="right", no_wrap=True)
    failed.add_column("hint / most common failure", overflow="fold", ratio=3)
    for test in report.most_failed:
        detail = _plain(_first_paragraph(test.hint) if test.hint else "", one_line=True)
        if test.message:
            detail = Text.assemble(detail, "\n" if test.hint else "", _plain(test.message, "dim"))
        failed.add_row(
            _plain(f"{test.exercise_id} {test.test}", one_line=True),
            f"{test.failed}/{test.ran}",
            detail,
        )
    console.print(failed)
