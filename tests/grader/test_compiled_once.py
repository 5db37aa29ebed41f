"""A learner module imported afresh runs anew from code compiled once per source."""

import importlib
import sys

from grader import compiled_once


def fresh(name: str):
    sys.modules.pop(name, None)
    importlib.invalidate_caches()
    return importlib.import_module(name)


def test_a_fresh_import_runs_anew_from_the_code_compiled_once(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "path_hooks", list(sys.path_hooks))
    monkeypatch.setattr(sys, "path_importer_cache", dict(sys.path_importer_cache))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "learner_once", raising=False)
    source = tmp_path / "learner_once.py"
    source.write_text("STATE = []\n\ndef answer():\n    return 42\n")
    compiled_once.install(str(tmp_path))
    first, second = fresh("learner_once"), fresh("learner_once")
    assert first is not second and first.STATE is not second.STATE  # executed anew
    assert first.answer.__code__ is second.answer.__code__  # compiled once
    assert second.__file__ == str(source) and second.answer() == 42
    source.write_text("STATE = []\n\ndef answer():\n    return 43\n")
    changed = fresh("learner_once")
    assert changed.answer() == 43 and changed.answer.__code__ is not second.answer.__code__
    sys.modules.pop("learner_once", None)


def test_a_file_is_still_run_as_a_script(monkeypatch, tmp_path):
    import runpy

    monkeypatch.setattr(sys, "path_hooks", list(sys.path_hooks))
    monkeypatch.setattr(sys, "path_importer_cache", dict(sys.path_importer_cache))
    script = tmp_path / "run.py"
    script.write_text("ran = __name__\n")
    compiled_once.install(str(tmp_path))
    assert runpy.run_path(str(script), run_name="__main__")["ran"] == "__main__"


def test_a_folder_gets_one_hook_however_many_times_it_is_installed(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "path_hooks", list(sys.path_hooks))
    hooks = len(sys.path_hooks)
    compiled_once.install(str(tmp_path))
    compiled_once.install(str(tmp_path) + "/")
    assert len(sys.path_hooks) == hooks + 1
