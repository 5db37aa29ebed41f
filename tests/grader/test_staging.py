from __future__ import annotations

import os

import pytest

from grader.safetree import UnsafeSubmission
from grader.staging import Limits, Unit, copy_submission, stage
from grader.tree_walk import MAX_DEPTH
from tests.grader.deep_trees import deep_folder


def _submission(tmp_path):
    source = tmp_path / "sub"
    (source / "pkg").mkdir(parents=True)
    (source / "main.py").write_text("x = 1\n")
    return source


@pytest.mark.parametrize(
    "link, to",
    [
        ("calc.py", "/etc/passwd"),
        ("etc", "/etc"),
        ("pkg/inner.py", "/etc/hostname"),
        ("pkg/up", ".."),
        (".env", None),  # hidden: not read, and so not followed either
    ],
)
def test_links_in_a_submission_are_refused_never_followed(tmp_path, link, to):
    source = _submission(tmp_path)
    os.symlink(to or "/etc/shadow", source / link)
    target = tmp_path / "out"
    if to is None:
        copy_submission([source], target)
        assert [p.name for p in target.rglob("*")] == ["main.py"]
        return
    with pytest.raises(UnsafeSubmission, match="symbolic link"):
        copy_submission([source], target)
    assert not (target / link).exists()


def test_a_submission_folder_that_is_a_link_is_refused(tmp_path):
    """A workspace's exercise folder linked to the reference solutions scored 100%."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "calc.py").write_text("the answer\n")
    os.symlink(secret, tmp_path / "linked")
    with pytest.raises(UnsafeSubmission, match="symbolic link"):
        copy_submission([tmp_path / "linked"], tmp_path / "out")
    assert not (tmp_path / "out" / "calc.py").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root could read through a hard link")
def test_root_refuses_hard_links(tmp_path):
    source = _submission(tmp_path)
    private = tmp_path / "private.py"
    private.write_text("root only\n")
    os.chmod(private, 0o600)
    os.link(private, source / "calc.py")
    with pytest.raises(UnsafeSubmission, match="hard link"):
        copy_submission([source], tmp_path / "out")


def test_deep_and_wide_trees_are_refused_without_recursion(tmp_path, monkeypatch):
    source = _submission(tmp_path)
    with deep_folder(source, 1100):  # deeper than Python's recursion limit
        with pytest.raises(UnsafeSubmission, match=f"more than {MAX_DEPTH} folders deep"):
            copy_submission([source], tmp_path / "out")
    monkeypatch.setattr("grader.tree_walk.MAX_ENTRIES", 50)
    wide = _submission(tmp_path / "wide")
    for i in range(60):
        (wide / "pkg" / f"m{i}.py").write_text("")
    with pytest.raises(UnsafeSubmission, match="more than 50 files and folders"):
        copy_submission([wide], tmp_path / "out2")


def test_special_files_are_refused(tmp_path):
    source = _submission(tmp_path)
    os.mkfifo(source / "pipe.py")
    with pytest.raises(UnsafeSubmission, match="not a regular file"):
        copy_submission([source], tmp_path / "out")


def test_caches_and_hidden_folders_are_left_out(tmp_path):
    source = tmp_path / "sub"
    for folder in ("__pycache__", ".venv", ".git"):
        (source / folder).mkdir(parents=True)
        (source / folder / "x.py").write_text("")
    (source / "main.py").write_text("")
    target = tmp_path / "out"
    copy_submission([source], target)
    assert [p.name for p in target.iterdir()] == ["main.py"]


def test_a_job_is_reachable_only_through_its_secret_name(adder):
    job = stage([Unit("u", adder, [adder.solution_root], skip=("wrong",))], Limits())
    try:
        assert oct(job.root.stat().st_mode & 0o777) == "0o711"  # traversable, not listable
        assert len(job.secret) == 32 and job.path.is_relative_to(job.root / job.secret)
        assert (job.path / "tests" / "9.1.1" / "test_adder.py").is_file()
        assert (job.path / "units" / "u" / "calc.py").is_file()
        assert not (job.path / "units" / "u" / "wrong").exists()
    finally:
        job.cleanup()
    assert not job.root.exists()
