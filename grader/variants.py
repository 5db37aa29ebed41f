"""Known-wrong variants as patches: `solutions/.../wrong/<name>.patch`.

A variant is one plausible mistake, kept as a unified diff against the reference so that a
reviewer sees the mistake and nothing else, and a fix to the reference needs no copy-editing of
three hundred files. Its header says, in a quoted sentence of the prompt, which requirement it
breaks, so that `grade check` proves each stated requirement has a test that catches its breach:

    Breaks: "answers **409 Conflict** with FastAPI's usual `{"detail": ...}` body"
    Mistake: a duplicate is answered 200 with the stored book.

    --- a/main.py
    +++ b/main.py
    @@ -40,7 +40,7 @@
    ...

Patches are applied strictly (no fuzz, no offset): one that no longer applies is a check failure
that names it, so a changed reference never silently turns a variant into something else.
"""

from __future__ import annotations

import difflib
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HEADER_FIELD = re.compile(r'^Breaks:\s*"(?P<breaks>.+?)"\s*$', re.MULTILINE | re.DOTALL)
MISTAKE = re.compile(r"^Mistake:\s*(?P<mistake>.+?)\s*$", re.MULTILINE)
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
NO_NEWLINE = "\\ No newline at end of file"
SKIPPED = ("wrong", "alternatives", "__pycache__")
NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class VariantError(Exception):
    """A patch that cannot be read or applied; the message names the file and the place."""


@dataclass
class Hunk:
    old_start: int
    old_count: int
    lines: list[str] = field(default_factory=list)  # " x", "-x", "+x"


@dataclass
class FilePatch:
    path: str  # relative, posix
    new_file: bool
    hunks: list[Hunk] = field(default_factory=list)
    no_newline_at_end: bool = False


@dataclass
class WrongVariant:
    name: str
    path: Path
    breaks: str
    mistake: str
    files: list[FilePatch]


def variant_paths(solution_root: Path) -> list[Path]:
    folder = solution_root / "wrong"
    return sorted(folder.glob("*.patch")) if folder.is_dir() else []


def load(path: Path) -> WrongVariant:
    text = path.read_text(encoding="utf-8")
    header, _, body = text.partition("\n--- ")
    if not body:
        raise VariantError(f"{path.name}: no unified diff (no '--- a/FILE' line)")
    breaks = HEADER_FIELD.search(header)
    if not breaks:
        raise VariantError(
            f'{path.name}: the header needs Breaks: "<the prompt sentence it breaks>"'
        )
    mistake = MISTAKE.search(header)
    files = _parse_diff("--- " + body, path.name)
    if not files:
        raise VariantError(f"{path.name}: the diff changes nothing")
    return WrongVariant(
        name=path.stem,
        path=path,
        breaks=" ".join(breaks["breaks"].split()),
        mistake=mistake["mistake"] if mistake else "",
        files=files,
    )


def _parse_diff(text: str, name: str) -> list[FilePatch]:
    files: list[FilePatch] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("--- "):
            i += 1
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("+++ "):
            raise VariantError(f"{name}: '---' at line {i + 1} is not followed by '+++'")
        old, new = line[4:].split("\t")[0].strip(), lines[i + 1][4:].split("\t")[0].strip()
        target = new if new != "/dev/null" else old
        if not target.startswith("b/") and not target.startswith("a/"):
            raise VariantError(f"{name}: file names must start with a/ and b/ ({target})")
        patch = FilePatch(path=target[2:], new_file=old == "/dev/null")
        _check_relative(patch.path, name)
        i += 2
        while i < len(lines) and not lines[i].startswith("--- "):
            match = HUNK.match(lines[i])
            if not match:
                i += 1
                continue
            hunk = Hunk(old_start=int(match[1]), old_count=int(match[2] or "1"))
            i += 1
            while i < len(lines) and lines[i][:1] in (" ", "-", "+", "\\", ""):
                if lines[i].startswith("--- ") or lines[i].startswith("@@"):
                    break
                if lines[i] == NO_NEWLINE:
                    patch.no_newline_at_end = hunk.lines[-1].startswith(("+", " "))
                else:
                    hunk.lines.append(lines[i] if lines[i] else " ")
                i += 1
            patch.hunks.append(hunk)
        files.append(patch)
    return files


def _check_relative(path: str, name: str) -> None:
    parts = Path(path).parts
    if Path(path).is_absolute() or ".." in parts or not parts:
        raise VariantError(f"{name}: {path!r} is not a path inside the solution")


def apply_file(original: str, patch: FilePatch, name: str) -> str:
    """The new text of one file; raises VariantError where a hunk's context does not match."""
    source = original.splitlines()
    result: list[str] = []
    cursor = 0  # index into source
    for number, hunk in enumerate(patch.hunks, 1):
        # "-5,0" inserts after line 5; "-5,3" replaces from line 5 (1-based) on.
        start = hunk.old_start if hunk.old_count == 0 else hunk.old_start - 1
        expected = [ln[1:] for ln in hunk.lines if ln[:1] in (" ", "-")]
        if start < cursor or source[start : start + len(expected)] != expected:
            raise VariantError(
                f"{name}: hunk {number} of {patch.path} no longer applies to the reference "
                f"(at line {hunk.old_start}): regenerate the patch (grade variant save)"
            )
        result += source[cursor:start]
        result += [ln[1:] for ln in hunk.lines if ln[:1] in (" ", "+")]
        cursor = start + len(expected)
    result += source[cursor:]
    return "\n".join(result) + ("" if patch.no_newline_at_end or not result else "\n")


def patched_files(variant: WrongVariant, reference: Path) -> dict[str, str]:
    """The new text of each file the variant changes; raises VariantError where it can't."""
    texts = {}
    for patch in variant.files:
        source = reference / patch.path
        if patch.new_file:
            original = ""
        elif source.is_file():
            original = source.read_text(encoding="utf-8")
        else:
            raise VariantError(f"{variant.path.name}: {patch.path} is not in the reference")
        texts[patch.path] = apply_file(original, patch, variant.path.name)
    return texts


def materialise(variant: WrongVariant, reference: Path, target: Path) -> None:
    """The reference's files with the variant's patch applied, in `target`."""
    texts = patched_files(variant, reference)
    shutil.copytree(reference, target, ignore=shutil.ignore_patterns(*SKIPPED), dirs_exist_ok=True)
    for name, text in texts.items():
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")


CONTEXT_LINES = 2  # enough to see where the mistake sits; more only hides it


def make_patch(
    reference: Path,
    edited: Path,
    files: list[str],
    breaks: str,
    mistake: str,
    context: int = CONTEXT_LINES,
) -> str:
    """The text of a variant: a header and the diff of `edited` against `reference`."""
    chunks = []
    for name in files:
        before = (
            (reference / name).read_text(encoding="utf-8") if (reference / name).is_file() else None
        )
        after = (edited / name).read_text(encoding="utf-8") if (edited / name).is_file() else None
        if after is None or before == after:
            continue
        diff = difflib.unified_diff(
            (before or "").splitlines(keepends=True),
            after.splitlines(keepends=True),
            "/dev/null" if before is None else f"a/{name}",
            f"b/{name}",
            n=context,
        )
        for line in diff:
            chunks.append(line if line.endswith("\n") else line + "\n" + NO_NEWLINE + "\n")
    if not chunks:
        raise VariantError("the edited files are identical to the reference: nothing to save")
    header = f'Breaks: "{" ".join(breaks.split())}"\n'
    if mistake:
        header += f"Mistake: {' '.join(mistake.split())}\n"
    return header + "\n" + "".join(chunks)


def _text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def normalised(text: str) -> str:
    return " ".join(text.split())


def problems(solution_root: Path, prompt: str, files: list[str] | None = None) -> list[str]:
    """What `grade lint` and `grade check` report about an exercise's variants, statically:
    each is read, applied (in memory) and checked against the prompt and the learner's files."""
    found = []
    prompt_text = normalised(prompt)
    for path in variant_paths(solution_root):
        try:
            variant = load(path)
            patched_files(variant, solution_root)
        except (VariantError, UnicodeDecodeError) as exc:
            found.append(f"wrong/{path.name}: {exc}")
            continue
        if variant.breaks not in prompt_text:
            found.append(
                f'wrong/{path.name}: its Breaks: sentence is not in the prompt: "{variant.breaks}"'
            )
        extra = {f.path for f in variant.files} - set(files) if files is not None else set()
        if extra:
            found.append(f"wrong/{path.name} changes files not in exercise.toml: {sorted(extra)}")
    return found


@contextmanager
def materialised(patches: list[Path], reference: Path) -> Iterator[dict[Path, Path]]:
    """Each patch applied to its own copy of the reference, in a temporary folder removed after
    the block: {patch: folder}. A patch that cannot be read or applied raises VariantError."""
    from .staging import scratch_folder  # host side only: the sandbox never materialises

    with scratch_folder("grade-variants-") as root:
        folders = {}
        for path in patches:
            folder = root / path.parent.parent.name / path.stem
            materialise(load(path), reference, folder)
            folders[path] = folder
        yield folders
