"""Find exercises on disk, validate their metadata strictly, and resolve selectors."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from .errors import CatalogError, SelectionError
from .models import Exercise, ExerciseMeta

FOLDER = re.compile(r"^(?P<id>\d+\.\d+\.\d+)-(?P<slug>[a-z0-9-]+)$")
TOPIC_FOLDER = re.compile(r"^(?P<id>\d+\.\d+)-[a-z0-9-]+$")


def project_root() -> Path:
    """The folder holding `exercises/` and `solutions/` (GRADE_CATALOG overrides it)."""
    override = os.environ.get("GRADE_CATALOG")
    return Path(override).resolve() if override else Path(__file__).resolve().parent.parent


def _id_key(exercise_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in exercise_id.split("."))


def load_meta(path: Path) -> ExerciseMeta:
    """Parse one `exercise.toml`; every problem becomes one CatalogError line per field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError("bad-toml", f"{path}: {exc}", "Fix the TOML syntax.") from None
    try:
        return ExerciseMeta.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: "
            + ("unknown key" if err["type"] == "extra_forbidden" else err["msg"])
            for err in exc.errors()
        )
        raise CatalogError(
            "bad-metadata",
            f"{path}: {problems}",
            "See exercises/README.md for the exercise.toml schema.",
        ) from None


@dataclass
class Catalog:
    """All exercises under a project root, ordered by id."""

    root: Path

    @cached_property
    def folders(self) -> list[Path]:
        """Every exercise's folder (where an `exercise.toml` is), read from names alone."""
        base = self.root / "exercises"
        if not base.is_dir():
            raise CatalogError("no-catalog", f"no exercises folder at {base}", "Set GRADE_CATALOG.")
        return [toml.parent for toml in sorted(base.glob("*/*/exercise.toml"))]

    @cached_property
    def exercises(self) -> list[Exercise]:
        found = [self._load(folder) for folder in self.folders]
        ids = [e.id for e in found]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise CatalogError("duplicate-id", f"duplicate exercise ids: {duplicates}", "")
        return sorted(found, key=lambda e: _id_key(e.id))

    def _load(self, folder: Path) -> Exercise:
        """One exercise, its metadata validated and its folders checked against it."""
        meta = load_meta(folder / "exercise.toml")
        match = FOLDER.match(folder.name)
        if not match or match["id"] != meta.id or match["slug"] != meta.slug:
            raise CatalogError(
                "bad-folder",
                f"{folder}: folder name must be '{meta.name}' (id-slug from exercise.toml)",
                "Rename the folder or fix id/slug.",
            )
        topic = TOPIC_FOLDER.match(folder.parent.name)
        if not topic or topic["id"] != meta.topic:
            raise CatalogError(
                "bad-folder",
                f"{folder.parent}: topic folder must start with '{meta.topic}-'",
                "Move the exercise into its topic's folder.",
            )
        solution = self.root / "solutions" / folder.relative_to(self.root / "exercises")
        return Exercise(meta=meta, root=folder, solution_root=solution)

    def _named(self, selectors: list[str]) -> list[Exercise] | None:
        """The exercises whose folder names match a selector, so that a selection reads only
        its own metadata; None where names can't tell (`all`, a folder that breaks the naming
        rule, an id seen twice) and the whole catalog must be read."""
        if "exercises" in self.__dict__ or any(s.strip().lower() == "all" for s in selectors):
            return None
        named = [(FOLDER.match(f.name), f) for f in self.folders]
        ids = [m["id"] for m, _ in named if m]
        if not all(m for m, _ in named) or len(set(ids)) < len(ids):
            return None
        return [
            self._load(f)
            for m, f in named
            if any(_names_match(m["id"], m["slug"], s.strip()) for s in selectors)
        ]

    def get(self, exercise_id: str) -> Exercise:
        matches = self.select([exercise_id])
        if len(matches) != 1:
            raise SelectionError(
                "not-one-exercise",
                f"'{exercise_id}' names {len(matches)} exercises, not one",
                "Give a full id such as 2.1.1 (see `grade list`).",
            )
        return matches[0]

    def select(self, selectors: list[str]) -> list[Exercise]:
        """Resolve `all`, `2`, `2.1`, `2.1.1` or a slug, in catalog order, without duplicates."""
        chosen: dict[str, Exercise] = {}
        selectors = selectors or ["all"]
        named = self._named(selectors)
        for selector in selectors:
            matches = [e for e in (named or []) if _matches(e, selector.strip())]
            if not matches:  # the whole catalog: it says why (a broken folder), or near misses
                matches = [e for e in self.exercises if _matches(e, selector.strip())]
            if not matches:
                near = self.near(selector.strip())
                maybe = f"; did you mean {' or '.join(near)}?" if near else ""
                raise SelectionError(
                    "unknown-selector",
                    f"no exercise matches '{selector}'{maybe}",
                    "Use a section (2), topic (2.1), exercise (2.1.1), slug or 'all'; "
                    "`grade list` shows them.",
                )
            chosen.update((e.id, e) for e in matches)
        return sorted(chosen.values(), key=lambda e: _id_key(e.id))

    def near(self, selector: str, limit: int = 3) -> list[str]:
        """Selectors close to a mistyped one: `3.22` → 3.2.2, 3.2; `create-book` → its slug."""
        ids = {e.id for e in self.exercises}
        ids |= {e.meta.topic for e in self.exercises}
        slugs = [e.meta.slug for e in self.exercises]
        if selector[:1].isdigit():
            return difflib.get_close_matches(selector, sorted(ids), n=min(limit, 2), cutoff=0.6)
        contained = [s for s in slugs if selector and selector.lower() in s]
        close = difflib.get_close_matches(selector.lower(), slugs, n=limit, cutoff=0.6)
        return list(dict.fromkeys(contained + close))[:limit]


def _matches(exercise: Exercise, selector: str) -> bool:
    return _names_match(exercise.id, exercise.meta.slug, selector)


def _names_match(exercise_id: str, slug: str, selector: str) -> bool:
    if selector.lower() == "all" or selector in (slug, f"{exercise_id}-{slug}"):
        return True
    return exercise_id == selector or exercise_id.startswith(selector.rstrip(".") + ".")


def load_catalog(root: Path | None = None) -> Catalog:
    return Catalog(root or project_root())


def _titles(root: Path, table: str) -> dict[str, str]:
    path = root / "exercises" / "sections.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError("bad-toml", f"{path}: {exc}", "Fix the TOML syntax.") from None
    titles = data.get(table, {})
    if not isinstance(titles, dict):
        raise CatalogError(
            "bad-toml", f"{path}: [{table}] must be a table of titles", "Fix sections.toml."
        )
    return {str(k): str(v) for k, v in titles.items()}


def section_titles(root: Path) -> dict[str, str]:
    return _titles(root, "sections")


def topic_title(exercise: Exercise, titles: dict[str, str] | None = None) -> str:
    """The topic's title from sections.toml, else from its folder: `2.1-basic-app` → `Basic app`."""
    if titles and exercise.meta.topic in titles:
        return titles[exercise.meta.topic]
    slug = exercise.root.parent.name.split("-", 1)[-1]
    return slug.replace("-", " ").capitalize()


def topic_titles(root: Path) -> dict[str, str]:
    return _titles(root, "topics")
