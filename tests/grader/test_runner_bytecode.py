"""The runner's modules get their bytecode on the host, unless no bytecode is to be written."""

import importlib.util
import sys

from grader.runner_bytecode import compile_package


def test_the_modules_are_compiled_where_python_looks_for_them(monkeypatch, tmp_path):
    module = tmp_path / "runner_side.py"
    module.write_text("VALUE = 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deeper.py").write_text("VALUE = 2\n")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    compile_package(tmp_path)
    assert not (tmp_path / "__pycache__").exists()  # PYTHONDONTWRITEBYTECODE is respected
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    compile_package(tmp_path)
    assert importlib.util.cache_from_source(str(module)) in {
        str(p) for p in (tmp_path / "__pycache__").iterdir()
    }
    assert not (tmp_path / "sub" / "__pycache__").exists()  # the runner's own modules only
