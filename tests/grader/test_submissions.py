from __future__ import annotations

import zipfile

import pytest

from grader.submissions import DiskBudget, UnsafeZip, discover, extract_zip, opened


def make_zip(path, entries: dict[str, str], symlink: str | None = None):
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in entries.items():
            zf.writestr(name, text)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16
            zf.writestr(info, "/etc/passwd")
    return path


@pytest.mark.parametrize("name", ["../evil.py", "/abs/evil.py", "a/../../evil.py", "C:/x.py"])
def test_traversal_is_refused_and_nothing_is_written(tmp_path, name):
    archive = make_zip(tmp_path / "s.zip", {name: "x = 1"})
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(UnsafeZip, match="outside the archive"):
        extract_zip(archive, target)
    assert list(target.iterdir()) == []
    assert not (tmp_path / "evil.py").exists()


def test_links_are_refused(tmp_path):
    archive = make_zip(tmp_path / "s.zip", {"a.py": ""}, symlink="9.1.1-adder/calc.py")
    with pytest.raises(UnsafeZip, match="link"):
        extract_zip(archive, tmp_path)


def test_zip_bombs_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("grader.submissions.MAX_ZIP_BYTES", 100)
    archive = make_zip(tmp_path / "s.zip", {"big.py": "x" * 200})
    with pytest.raises(UnsafeZip, match="MiB"):
        extract_zip(archive, tmp_path)


def open_all(root, exercises, scratch):
    """Each student opened in turn, as the batch does: (problem, exercise ids, hash) by name."""
    budget = DiskBudget()
    found = {}
    for submission in discover(root):
        with opened(submission, exercises, scratch, budget) as s:
            found[s.student] = (s.problem, [e.id for e in s.exercises], s.content_hash)
    assert budget.used == 0 and list(scratch.iterdir()) == []
    return found


def test_discover_reports_each_problem(tmp_path, adder):
    root = tmp_path / "subs"
    (root / "ok" / "9.1.1-adder").mkdir(parents=True)
    (root / "ok" / "9.1.1-adder" / "calc.py").write_text("def add(a, b): return a + b\n")
    (root / "empty").mkdir()
    (root / "bad.zip").write_bytes(b"garbage")
    make_zip(root / "wrapped.zip", {"top/9.1.1-adder/calc.py": "def add(a, b): return 0\n"})
    (root / "notes.txt").write_text("hi")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    found = open_all(root, [adder], scratch)
    assert found["ok"][:2] == ("", ["9.1.1"])
    assert "nothing gradable" in found["empty"][0]
    assert "unreadable zip" in found["bad"][0]
    assert found["wrapped"][:2] == ("", ["9.1.1"])
    assert "neither a folder nor a .zip" in found["notes.txt"][0]
    assert found["ok"][2] != found["wrapped"][2]
