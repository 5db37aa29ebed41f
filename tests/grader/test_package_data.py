"""An installed grader (not an editable one) has every file it reads at run time: each file in
its packages that is not Python is declared as package data in pyproject.toml."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_data_file_of_the_packages_is_declared():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared = config.get("package-data", {})
    missing = []
    for top in config["packages"]["find"]["include"]:
        for path in sorted((ROOT / top.rstrip("*")).rglob("*")):
            if not path.is_file() or path.suffix in {".py", ".pyc"} or "__pycache__" in path.parts:
                continue
            relative = path.relative_to(ROOT)
            owners = [
                (package, relative.relative_to(Path(*package.split("."))).as_posix())
                for package in declared
                if relative.is_relative_to(Path(*package.split(".")))
            ]
            if not any(
                fnmatch.fnmatch(inside, pattern)
                for package, inside in owners
                for pattern in declared[package]
            ):
                missing.append(relative.as_posix())
    assert missing == []
