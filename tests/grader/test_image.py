from __future__ import annotations

import re
import tomllib
from pathlib import Path

from grader import __version__
from grader.image import DOCKER_DIR, image_tag

ROOT = Path(__file__).resolve().parents[2]


def names(lines) -> set[str]:
    found = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            found.add(re.split(r"[\[<>=!~ ;]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return found


def test_image_packages_are_the_projects_runtime_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted = names((DOCKER_DIR / "requirements.in").read_text().splitlines())
    assert wanted <= names(project), wanted - names(project)


def test_lock_pins_every_wanted_package_exactly():
    lock = (DOCKER_DIR / "requirements.lock").read_text().splitlines()
    pins = [line for line in lock if line and not line.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[^=\s]+", pin) for pin in pins), pins
    assert names((DOCKER_DIR / "requirements.in").read_text().splitlines()) <= names(pins)


def test_image_tag_carries_the_version_and_the_lock():
    repository, tag = image_tag().split(":")
    assert repository == "fastapi-sqlalchemy-exercises-grader"
    assert re.fullmatch(rf"{re.escape(__version__)}-[0-9a-f]{{8}}", tag)
