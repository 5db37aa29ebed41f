from __future__ import annotations

import os
import threading
import time
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
    ignored: list[str] = []
    assert "notes.txt" not in {s.student for s in discover(root, ignored)}
    assert ignored == ["notes.txt"]  # a stray file is no student
    found = open_all(root, [adder], scratch)
    assert found["ok"][:2] == ("", ["9.1.1"])
    assert "nothing gradable" in found["empty"][0]
    assert "unreadable zip" in found["bad"][0]
    assert found["wrapped"][:2] == ("", ["9.1.1"])
    assert found["ok"][2] != found["wrapped"][2]


def test_entries_that_give_one_name_are_each_a_problem_never_merged(tmp_path, adder):
    root = tmp_path / "subs"
    for name in ("Ada Lovelace", "Zo\u00e9", "grace"):
        (root / name / "9.1.1-adder").mkdir(parents=True)
    make_zip(root / "Ada  Lovelace.zip", {"9.1.1-adder/calc.py": ""})
    make_zip(root / "Zoe\u0301.zip", {"9.1.1-adder/calc.py": ""})  # the same name, decomposed
    make_zip(root / "GRACE.zip", {"9.1.1-adder/calc.py": ""})
    found = discover(root)
    assert len(found) == 6
    assert all("rename them" in s.problem for s in found), [s.problem for s in found]
    assert {s.student for s in found} == {"Ada Lovelace", "Zo\u00e9", "grace", "GRACE"}


def test_a_zip_gives_only_the_selected_exercise_folders(tmp_path, adder):
    root = tmp_path / "subs"
    root.mkdir()
    make_zip(
        root / "ada.zip",
        {
            "ada/9.1.1-adder/calc.py": "def add(a, b): return a + b\n",
            "ada/9.1.1-adder/.git/config": "x" * 1000,
            "ada/9.1.1-adder/__pycache__/calc.pyc": "x",
            "ada/9.9.9-other/big.py": "x" * 10_000,
            "ada/notes.txt": "hi",
        },
    )
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    budget = DiskBudget()
    [submission] = discover(root)
    with opened(submission, [adder], scratch, budget) as s:
        files = sorted(p.relative_to(s.folder).as_posix() for p in s.folder.rglob("*"))
        assert files == ["9.1.1-adder", "9.1.1-adder/calc.py"]
        assert budget.used == len("def add(a, b): return a + b\n")
    assert budget.used == 0 and list(scratch.iterdir()) == []


def test_links_inside_a_zip_folder_or_student_entry_are_problems(tmp_path, adder):
    root = tmp_path / "subs"
    (root / "linked" / "9.1.1-adder").mkdir(parents=True)
    make_zip(root / "zipped.zip", {"9.1.1-adder/a.py": ""}, symlink="9.1.1-adder/calc.py")
    (root / "linked" / "9.1.1-adder" / "calc.py").symlink_to("/etc/passwd")
    (root / "entry").symlink_to(root / "linked")
    os.mkfifo(root / "fifo.zip")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    found = open_all(root, [adder], scratch)
    assert "link" in found["zipped"][0] and "symbolic link" in found["linked"][0]
    assert "symbolic link" in found["entry"][0]
    assert "not a regular file" in found["fifo"][0]


def test_the_disk_budget_makes_workers_wait_their_turn():
    budget = DiskBudget(100)
    order = []

    def take(name, size, hold):
        with budget.hold(size):
            order.append((name, budget.used))
            time.sleep(hold)

    first = threading.Thread(target=take, args=("first", 80, 0.2))
    first.start()
    time.sleep(0.05)
    second = threading.Thread(target=take, args=("second", 60, 0))
    second.start()
    first.join()
    second.join()
    assert order == [("first", 80), ("second", 60)] and budget.peak == 80
    with budget.hold(10_000):  # more than the whole budget: waits for it all, never forever
        assert budget.used == 100
