"""`grade new`: lay out a new exercise that follows the contract, ready to fill in."""

from __future__ import annotations

import re
from pathlib import Path

from .catalog import Catalog
from .errors import CatalogError

TOML = '''schema_version = 1
id = "{id}"
slug = "{slug}"
title = "{title}"
kind = "{kind}"
difficulty = 2
files = [{files}]
timeout = 10

[[tasks]]
id = 1
title = "TODO: what task 1 asks"
hint = """
TODO: a hint that teaches: the idea, the API to reach for, the usual mistake.
"""
'''
PROMPT = """# {id} · {title}

TODO: a short introduction that teaches the idea.

## Task 1 – TODO

TODO: what to build, with the exact behaviour the tests check.

## Interface the tests use

- `{first}` defines TODO.
"""
TEST = """import pytest


@pytest.mark.task(1)
@pytest.mark.hint("TODO: what to try when this fails")
def test_todo(learner):
    learner("{module}")
    pytest.fail("TODO: the hidden tests of this exercise are not written yet")
"""


def scaffold(
    catalog: Catalog,
    exercise_id: str,
    slug: str,
    title: str,
    kind: str,
    files: list[str],
    topic_slug: str | None = None,
) -> list[Path]:
    if not re.fullmatch(r"\d+\.\d+\.\d+", exercise_id):
        raise CatalogError("bad-id", f"'{exercise_id}' is not an id like 4.1.1", "")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise CatalogError("bad-slug", f"'{slug}' is not a kebab-case slug", "")
    if any(e.id == exercise_id for e in catalog.exercises):
        raise CatalogError("exists", f"exercise {exercise_id} exists already", "Pick a new id.")
    topic = ".".join(exercise_id.split(".")[:2])
    base = catalog.root / "exercises"
    topics = sorted(base.glob(f"{topic}-*"))
    if topics:
        topic_folder = topics[0].name
    elif topic_slug:
        topic_folder = f"{topic}-{topic_slug}"
    else:
        raise CatalogError(
            "no-topic", f"topic {topic} has no folder yet", "Pass --topic SLUG to create it."
        )
    folder = base / topic_folder / f"{exercise_id}-{slug}"
    solution = catalog.root / "solutions" / topic_folder / f"{exercise_id}-{slug}"
    written = []

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    quoted = ", ".join(f'"{f}"' for f in files)
    write(
        folder / "exercise.toml",
        TOML.format(id=exercise_id, slug=slug, title=title, kind=kind, files=quoted),
    )
    write(folder / "README.md", PROMPT.format(id=exercise_id, title=title, first=files[0]))
    module = files[0].removesuffix(".py").replace("/", ".")
    write(folder / "tests" / f"test_{slug.replace('-', '_')}.py", TEST.format(module=module))
    for name in files:
        write(folder / "starter" / name, "# TODO: Task 1\n")
        write(solution / name, "# the reference solution\n")
    first = files[0]
    write(
        solution / "wrong" / "todo-mistake.patch",
        'Breaks: "TODO: what to build, with the exact behaviour the tests check."\n'
        "Mistake: TODO the plausible mistake, in one line\n\n"
        f"--- a/{first}\n+++ b/{first}\n@@ -1 +1 @@\n"
        "-# the reference solution\n+# TODO: the plausible mistake\n",
    )
    return written
