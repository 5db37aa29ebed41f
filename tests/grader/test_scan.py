"""The static scan flags code that reaches into the grader, and nothing an honest solution
(every reference, alternative, starter and known-wrong variant of the course) does."""

from __future__ import annotations

import pytest

from grader import variants
from grader.catalog import load_catalog, project_root
from grader.scan import MAX_REASONS, scan_folder
from tests.conftest import ATTACKS


def scan_source(tmp_path, source: str, name: str = "calc.py") -> list[str]:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(source)
    return scan_folder(str(tmp_path))


@pytest.mark.parametrize(
    "attack, expected",
    [
        ("forge_reporter", "uses the garbage collector's object list (gc.get_objects)"),
        ("forge_pipe", "uses os.write to a raw descriptor (the result pipe?)"),
        ("forge_pipe", "uses os._exit (leaves without pytest's own ending)"),
        ("forge_pipe", "uses the grader's job folder (/job, where the hidden tests are)"),
        ("forged_output", "uses os.write to a raw descriptor (the result pipe?)"),
        ("read_hidden_tests", "uses the grader's job folder (/job, where the hidden tests are)"),
        ("segfault", "uses raw memory access (ctypes)"),
        ("pytest_exit", "uses pytest.exit (pytest's run, not its test API)"),
    ],
)
def test_both_forgery_styles_and_other_attacks_are_flagged(tmp_path, attack, expected):
    reasons = scan_source(tmp_path, (ATTACKS / f"{attack}.py").read_text())
    assert any(r.startswith("static scan: calc.py:") and r.endswith(expected) for r in reasons)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import sys\nf = sys._getframe(1)\n", "frame introspection (sys._getframe)"),
        ("def f():\n    raise E\n\ntry:\n    f()\nexcept E as e:\n    e.__traceback__.tb_frame\n",
         "frame introspection (tb_frame)"),
        ("import inspect\ninspect.stack()\n", "frame introspection (inspect.stack)"),
        ("from inspect import currentframe\n", "frame introspection (inspect.currentframe)"),
        ("import gc as g\n", "the garbage collector's view of every object (gc)"),
        ("import ctypes.util\n", "raw memory access (ctypes)"),
        ("from _pytest.runner import call_and_report\n", "pytest's internals (_pytest)"),
        ("import pluggy\n", "pytest's plugin machinery (pluggy)"),
        ("from grader import sandbox_runner\n", "the grader's own modules"),
        ("import __main__\n", "the grader's runner (__main__)"),
        ("from os import _exit\n", "os._exit (leaves without pytest's own ending)"),
        ("import os as o\no._exit(0)\n", "os._exit (leaves without pytest's own ending)"),
        ("getattr(__import__('os'), '_exit')(0)\n",
         "os._exit (leaves without pytest's own ending)"),
        ("exec(open('x').read())\n", "exec() of a string built at run time"),
        ("eval('1' + '+1')\n", "eval() of a string built at run time"),
        ("__import__('g' + 'c')\n", "an import of a module named at run time"),
        ("import importlib\nimportlib.import_module(name)\n",
         "an import of a module named at run time"),
        ("import sys\nsys.modules['grader.pytest_plugin']\n", "sys.modules (other modules' "
         "objects, the grader's included)"),
        ("open('/proc/1/fd/1', 'w')\n", "another process's internals (/proc)"),
        ("def pytest_runtest_makereport(item, call): pass\n",
         "a pytest hook (pytest_runtest_makereport)"),
        ("import pytest\npytest.hookimpl(hookwrapper=True)\n",
         "pytest.hookimpl (pytest's run, not its test API)"),
        ("x = object.__subclasses__()\n", "class introspection (__subclasses__)"),
        ("import resource\nresource.prlimit(1, 7, (4, 4))\n",
         "another process's resource limits (prlimit)"),
        ("f.__globals__['x'] = 1\n", "another function's globals (__globals__)"),
    ],
)  # fmt: skip
def test_reaching_into_the_grader_is_flagged(tmp_path, source, expected):
    assert scan_source(tmp_path, source) == [
        f"static scan: calc.py:{_line(source)} uses {expected}"
    ]


def _line(source: str) -> int:
    return max(i for i, line in enumerate(source.splitlines(), 1) if line.strip())


@pytest.mark.parametrize(
    "source",
    [
        "import sys\n\ndef now():\n    return sys.modules[__name__].clock()\n",
        "from sqlalchemy import inspect\ninspect(obj).mapper.column_attrs\n",
        "import importlib\nimportlib.import_module(f'sqlalchemy.dialects.{name}')\n",
        "app = __import__('main').app\n",
        "import re\nPATTERN = re.compile(r'[a-z]+')\n",
        "stmt.compile(dialect=d)\n",
        "import pytest\n\n@pytest.fixture\ndef client():\n    pass\n\n"
        "@pytest.mark.parametrize('x', [1])\ndef test_x(x):\n    with pytest.raises(ValueError):\n"
        "        pass\n",
        "if __name__ == '__main__':\n    main()\n",
        "with open('data.json') as fh:\n    fh.write('x')\n",
        "import os\nos.environ.get('PORT')\nos.path.join('a', 'b')\n",
        "import sys\nsys.exit(main())\n",
        "import inspect\ninspect.signature(f)\n",
    ],
)
def test_honest_code_is_not_flagged(tmp_path, source):
    assert scan_source(tmp_path, source) == []


def test_files_shadowing_the_graders_modules_are_flagged(tmp_path):
    (tmp_path / "_pytest").mkdir()
    assert scan_source(tmp_path, "x = 1\n", "pytest.py") == [
        "static scan: _pytest uses a file that shadows the module `_pytest`",
        "static scan: pytest.py uses a file that shadows the module `pytest`",
    ]
    assert scan_source(tmp_path / "b", "x = 1\n", "sitecustomize.py")


def test_links_and_unparsable_files_are_skipped_and_reasons_are_capped(tmp_path):
    (tmp_path / "broken.py").write_text("def (:\n")
    (tmp_path / "link.py").symlink_to("/usr/lib/python3/dist-packages/gc_elsewhere.py")
    many = "".join(f"import gc\nx{i} = 1\n" for i in range(3))
    for i in range(10):
        (tmp_path / f"m{i}.py").write_text(many)
    reasons = scan_folder(str(tmp_path))
    assert len(reasons) == MAX_REASONS and reasons[-1] == "static scan: and 5 more"


def test_no_solution_starter_or_variant_of_the_course_is_flagged():
    """Each is honest code, so each hit would be a false alarm for a teacher."""
    flagged = []
    for exercise in load_catalog(project_root()).exercises:
        folders = [exercise.solution_root, exercise.starter_dir, *exercise.alternative_dirs]
        with variants.materialised(exercise.wrong_patches, exercise.solution_root) as wrong:
            for folder in [*folders, *wrong.values()]:
                flagged += [f"{exercise.id} {folder.name}: {r}" for r in scan_folder(str(folder))]
    assert flagged == []
