"""Hidden test modules are staged with the bytecode pytest's assertion rewriting would make, so
that no sandboxed child rewrites them again; the bytecode follows the source it was made from."""

from __future__ import annotations

import shutil
from pathlib import Path

from _pytest.assertion.rewrite import _read_pyc

from grader import rewritten
from grader.rewritten import add_rewritten, pyc_tail

TEST_MODULE = "def test_sum():\n    total = 1 + 1\n    assert total == 3\n"


def suite(folder: Path) -> Path:
    folder.mkdir()
    (folder / "test_sums.py").write_text(TEST_MODULE)
    (folder / "conftest.py").write_text("import pytest\n")
    (folder / "helpers.py").write_text("VALUE = 1\n")  # not a module pytest rewrites
    return folder


def staged_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    add_rewritten(source, target)
    return target


def test_the_staged_suite_carries_the_bytecode_pytest_loads(tmp_path):
    staged = staged_copy(suite(tmp_path / "tests"), tmp_path / "job" / "tests")
    names = sorted(p.name for p in (staged / "__pycache__").iterdir())
    assert names == [f"conftest{pyc_tail()}", f"test_sums{pyc_tail()}"]
    code = _read_pyc(staged / "test_sums.py", staged / "__pycache__" / f"test_sums{pyc_tail()}")
    assert code is not None and code.co_filename == str(staged / "test_sums.py")
    namespace: dict = {}
    exec(code, namespace)
    try:
        namespace["test_sum"]()
    except AssertionError as exc:  # the rewritten assert explains itself
        assert "assert 2 == 3" in str(exc)
    else:
        raise AssertionError("the staged test passed: it was not the suite's code")


def test_the_cache_beside_the_tests_is_kept_and_follows_their_changes(tmp_path, monkeypatch):
    source = suite(tmp_path / "tests")
    staged_copy(source, tmp_path / "first")
    cache = source / "__pycache__" / f"test_sums{pyc_tail()}"
    assert cache.is_file()
    monkeypatch.setattr(rewritten, "_memory", {})
    monkeypatch.setattr(rewritten, "_rewrite", lambda *a: None)  # served from the cache alone
    again = staged_copy(source, tmp_path / "second")
    assert (again / "__pycache__" / cache.name).read_bytes() == cache.read_bytes()
    monkeypatch.undo()
    (source / "test_sums.py").write_text(TEST_MODULE.replace("3", "2"))
    changed = staged_copy(source, tmp_path / "third")
    pyc = changed / "__pycache__" / cache.name
    assert _read_pyc(changed / "test_sums.py", pyc) is not None  # matches the new source
    before = (again / "__pycache__" / cache.name).read_bytes()
    assert pyc.read_bytes() == cache.read_bytes() != before


def test_a_read_only_exercises_folder_still_stages_the_bytecode(tmp_path):
    source = suite(tmp_path / "tests")
    (source / "__pycache__").write_text("not a folder")  # no cache can be written beside it
    staged = staged_copy(source, tmp_path / "job")
    assert _read_pyc(staged / "test_sums.py", staged / "__pycache__" / f"test_sums{pyc_tail()}")


def test_a_module_pytest_cannot_compile_is_left_to_the_child(tmp_path):
    source = suite(tmp_path / "tests")
    (source / "test_sums.py").write_text("def test_broken(:\n")
    staged = staged_copy(source, tmp_path / "job")
    assert not (staged / "__pycache__" / f"test_sums{pyc_tail()}").exists()
    assert (staged / "__pycache__" / f"conftest{pyc_tail()}").is_file()
