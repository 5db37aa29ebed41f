from __future__ import annotations

import pytest

from grader import expected
from grader.errors import CatalogError
from grader.expected import base_id, cached_specs, read_specs, suite_hash


def write(tmp_path, body: str):
    (tmp_path / "test_x.py").write_text("import pytest\n\n" + body)
    return tmp_path


def test_reads_markers_and_counts_cases(adder):
    specs = {s.id: s for s in read_specs(adder.tests_dir)}
    assert set(specs) == {
        "test_adder.py::test_adds",
        "test_adder.py::test_adds_cases",
        "test_adder.py::test_negates",
    }
    assert specs["test_adder.py::test_adds"].hint == "add(2, 3) is 5."
    cases = specs["test_adder.py::test_adds_cases"]
    assert (cases.task, cases.points, cases.cases) == (1, 2, 3)


def test_classes_and_stacked_parametrize(tmp_path):
    body = (
        "class TestThing:\n"
        "    @pytest.mark.task(1)\n"
        "    @pytest.mark.parametrize('a', [1, 2])\n"
        "    @pytest.mark.parametrize('b', (1, 2, 3))\n"
        "    def test_it(self, a, b):\n"
        "        pass\n"
    )
    [spec] = read_specs(write(tmp_path, body))
    assert spec.id == "test_x.py::TestThing::test_it"
    assert spec.cases == 6


def test_class_marker_applies_to_methods(tmp_path):
    body = "@pytest.mark.task(2)\nclass TestThing:\n    def test_it(self):\n        pass\n"
    [spec] = read_specs(write(tmp_path, body))
    assert spec.task == 2


def test_missing_task_marker_is_an_error(tmp_path):
    with pytest.raises(CatalogError, match="missing @pytest.mark.task"):
        read_specs(write(tmp_path, "def test_it():\n    pass\n"))


def test_non_literal_parametrize_is_an_error(tmp_path):
    body = (
        "CASES = [1, 2]\n"
        "@pytest.mark.task(1)\n"
        "@pytest.mark.parametrize('a', CASES)\n"
        "def test_it(a):\n"
        "    pass\n"
    )
    with pytest.raises(CatalogError, match="literal list"):
        read_specs(write(tmp_path, body))


def test_non_literal_points_is_an_error(tmp_path):
    body = "P = 2\n@pytest.mark.task(1)\n@pytest.mark.points(P)\ndef test_it():\n    pass\n"
    with pytest.raises(CatalogError, match="literal"):
        read_specs(write(tmp_path, body))


def test_suite_hash_changes_with_content(tmp_path):
    write(tmp_path, "@pytest.mark.task(1)\ndef test_it():\n    pass\n")
    before = suite_hash(tmp_path)
    (tmp_path / "conftest.py").write_text("# new fixture\n")
    assert suite_hash(tmp_path) != before


def test_base_id_strips_parameters():
    assert base_id("test_x.py::test_y[1-2]") == "test_x.py::test_y"
    assert base_id("test_x.py::test_y") == "test_x.py::test_y"


def test_the_expected_tests_are_kept_beside_the_suite_until_it_changes(tmp_path, monkeypatch):
    tests = write(tmp_path, "@pytest.mark.task(1)\ndef test_a():\n    pass\n")
    first = cached_specs(tests, suite_hash(tests))
    assert [s.id for s in first] == ["test_x.py::test_a"]
    assert (tests / "__pycache__" / expected.SPECS_FILE).is_file()
    assert suite_hash(tests) == suite_hash(tests)  # the kept list is not part of the suite

    def unused(_tests_dir):
        raise AssertionError("parsed again")

    with monkeypatch.context() as patched:
        patched.setattr(expected, "read_specs", unused)
        assert cached_specs(tests, suite_hash(tests)) == first  # read back, not parsed

    write(tmp_path, "@pytest.mark.task(2)\ndef test_b():\n    pass\n")
    again = cached_specs(tests, suite_hash(tests))
    assert [(s.id, s.task) for s in again] == [("test_x.py::test_b", 2)]


def test_a_suite_whose_cache_cannot_be_written_is_parsed(tmp_path):
    tests = write(tmp_path, "@pytest.mark.task(1)\ndef test_a():\n    pass\n")
    (tests / "__pycache__").write_text("")  # not a folder: nothing can be kept there
    assert [s.id for s in cached_specs(tests, suite_hash(tests))] == ["test_x.py::test_a"]
    assert (tests / "__pycache__").read_text() == ""
