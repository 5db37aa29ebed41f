"""The plugin's Learner: fresh imports forget every learner module, and only those."""

from __future__ import annotations

import sys

import pytest

from grader.pytest_plugin import Learner


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A submission with a module and a package; sys.modules and sys.path put back after."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "modules", dict(sys.modules))
    (tmp_path / "plugin_main.py").write_text(
        "import plugin_pkg.part\nRUNS = []\nRUNS.append(1)\n", encoding="utf-8"
    )
    (tmp_path / "plugin_pkg").mkdir()
    (tmp_path / "plugin_pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "plugin_pkg" / "part.py").write_text("STATE = {}\n", encoding="utf-8")
    return tmp_path


def test_fresh_runs_every_learner_module_anew(folder):
    learner = Learner(folder)
    first = learner("plugin_main")
    first.RUNS.append(2)
    part = sys.modules["plugin_pkg.part"]
    part.STATE["dirty"] = True

    again = learner.fresh("plugin_main")

    assert again is not first and again.RUNS == [1]
    assert sys.modules["plugin_pkg.part"] is not part
    assert sys.modules["plugin_pkg.part"].STATE == {}


def test_fresh_leaves_library_modules_alone(folder):
    import json

    learner = Learner(folder)
    learner.fresh("plugin_main")
    learner.fresh("plugin_main")
    assert sys.modules["json"] is json and sys.modules["pytest"] is pytest


def test_a_learner_module_in_a_name_seen_as_a_library_is_still_forgotten(folder):
    learner = Learner(folder)
    sys.modules["plugin_shadow"] = type(sys)("plugin_shadow")  # a library's, first
    learner.fresh("plugin_main")
    (folder / "plugin_shadow.py").write_text("VALUE = []\n", encoding="utf-8")
    shadow = learner("plugin_shadow")  # the learner's file wins over the library
    assert shadow.__file__.startswith(str(folder))
    shadow.VALUE.append("dirty")

    learner.fresh("plugin_main")

    assert "plugin_shadow" not in sys.modules
    assert learner("plugin_shadow").VALUE == []


def test_something_unhashable_in_sys_modules_does_not_break_fresh(folder):
    learner = Learner(folder)
    first = learner("plugin_main")
    sys.modules["plugin_odd"] = []  # type: ignore[assignment]
    assert learner.fresh("plugin_main") is not first
