from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from grader.safetree import UnsafeSubmission
from grader.staging import (
    JOB_PREFIX,
    OWNER_FILE,
    Limits,
    Unit,
    copy_submission,
    owner_alive,
    preload_modules,
    scratch_folder,
    stage,
    sweep_stale_jobs,
)
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


def test_a_job_is_reachable_only_by_the_grader_and_its_sandbox(adder):
    job = stage([Unit("u", adder, [adder.solution_root], skip=("wrong",))], Limits())
    try:
        assert oct(job.root.stat().st_mode & 0o777) == "0o711"  # traversable, not listable
        assert len(job.secret) == 32 and job.path.is_relative_to(job.root / job.secret)
        # a learner who reads the folder's name from inside the sandbox can't use it
        assert oct((job.root / job.secret).stat().st_mode & 0o777) == "0o700"
        assert oct(job.mounts.stat().st_mode & 0o777) == "0o755"  # for a root grader's binds
        assert not job.mounts.is_relative_to(job.root / job.secret)
        assert (job.path / "tests" / "9.1.1" / "test_adder.py").is_file()
        assert (job.path / "units" / "u" / "calc.py").is_file()
        assert not (job.path / "units" / "u" / "wrong").exists()
    finally:
        job.cleanup()
    assert not job.root.exists()


def _dead_owner() -> dict:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return {"pid": child.pid, "start": "1", "boot": _boot()}


def _boot() -> str:
    with open("/proc/sys/kernel/random/boot_id") as fh:
        return fh.read().strip()


def _job(folder, name, owner) -> os.PathLike:
    job = folder / f"{JOB_PREFIX}{name}"
    (job / "secret" / "job" / "tests").mkdir(parents=True)
    (job / "secret" / "job" / "tests" / "test_hidden.py").write_text("# hidden\n")
    if owner is not None:
        (job / OWNER_FILE).write_text(json.dumps(owner))
    return job


def test_a_killed_graders_job_is_swept_at_the_next_start(tmp_path, adder, monkeypatch):
    stale = _job(tmp_path, "stale", _dead_owner())
    rebooted = _job(tmp_path, "rebooted", {"pid": os.getpid(), "start": "1", "boot": "old"})
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    job = stage([Unit("u", adder, [adder.solution_root], skip=("wrong",))], Limits())
    try:
        assert not stale.exists() and not rebooted.exists()
        assert job.root.parent == tmp_path and job.root.name.startswith(JOB_PREFIX)
        assert owner_alive(json.loads((job.root / OWNER_FILE).read_text()))
    finally:
        job.cleanup()


def test_only_jobs_of_dead_owners_are_swept(tmp_path):
    alive = _job(tmp_path, "alive", json.loads(json.dumps(_live_owner())))
    unmarked = _job(tmp_path, "unmarked", None)
    garbled = _job(tmp_path, "garbled", None)
    (garbled / OWNER_FILE).write_text("not json")
    other = tmp_path / "grade-other-x"  # not ours
    other.mkdir()
    assert sweep_stale_jobs(tmp_path) == []
    assert alive.exists() and unmarked.exists() and garbled.exists() and other.exists()


def test_the_sweep_never_follows_a_link(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    os.symlink(precious, tmp_path / f"{JOB_PREFIX}link")  # the top entry is a link
    stale = _job(tmp_path, "stale", _dead_owner())
    os.symlink(precious, stale / "secret" / "inner")  # a link inside a stale job
    assert sweep_stale_jobs(tmp_path) == [stale]
    assert (precious / "keep.txt").read_text() == "keep"
    assert (tmp_path / f"{JOB_PREFIX}link").is_symlink()


def test_an_owner_file_that_is_a_link_is_not_trusted(tmp_path):
    target = tmp_path / "owner-elsewhere.json"
    target.write_text(json.dumps(_dead_owner()))
    job = _job(tmp_path, "linked", None)
    os.symlink(target, job / OWNER_FILE)
    assert sweep_stale_jobs(tmp_path) == []
    assert job.exists()


def _live_owner() -> dict:
    from grader.staging import _owner

    return _owner()


def test_libraries_are_preloaded_only_for_the_exercises_that_import_them(tmp_path):
    from types import SimpleNamespace

    from grader import sandbox_runner
    from grader.staging import preload_modules

    def exercise(name: str, source: str) -> SimpleNamespace:
        folders = {k: tmp_path / name / k for k in ("starter", "tests", "solution")}
        for folder in folders.values():
            folder.mkdir(parents=True)
        (folders["solution"] / "main.py").write_text(source)
        return SimpleNamespace(
            starter_dir=folders["starter"],
            tests_dir=folders["tests"],
            solution_root=folders["solution"],
        )

    assert "httpx" not in sandbox_runner.PRELOAD  # the TestClient's client is httpx2
    fetch = exercise("fetch", "import httpx\n")
    books = exercise("books", "from sqlalchemy.orm import Session\n")
    assert preload_modules([fetch]) == ["httpx"]
    assert "httpx" not in preload_modules([books])
    assert {"sqlalchemy.orm", "sqlite3"} <= set(preload_modules([books]))  # the first engine's


def test_a_library_the_submission_imports_is_preloaded_too(tmp_path, adder):
    """A learner may choose another allowed library than the reference (strawberry where the
    reference uses ariadne): the warm parent imports it once instead of every child."""
    (tmp_path / "main.py").write_text("import strawberry\nfrom calc import add\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "db.py").write_text("from sqlalchemy import select\n")
    assert preload_modules([adder]) == []
    found = preload_modules([adder], [tmp_path])
    assert "strawberry" in found and "sqlalchemy.orm" in found
    job = stage([Unit("u", adder, [tmp_path])], Limits())
    try:
        manifest = json.loads((job.path / "manifest.json").read_text())
        assert "strawberry.fastapi" in manifest["preload"]
    finally:
        job.cleanup()


@pytest.mark.parametrize(
    "prefix", ["grade-variants-", "grade-batch-", "grade-task-", "grade-serve-"]
)
def test_a_killed_graders_scratch_folder_is_swept_too(tmp_path, prefix, monkeypatch):
    """`grade check` materialises variants and `grade batch` unpacks zips in scratch folders;
    a grader killed by SIGKILL or a CI timeout leaves them behind for the next one to sweep."""
    stale = tmp_path / f"{prefix}stale"
    stale.mkdir()
    (stale / OWNER_FILE).write_text(json.dumps(_dead_owner()))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with scratch_folder(prefix) as mine:
        assert owner_alive(json.loads((mine / OWNER_FILE).read_text()))
        assert sweep_stale_jobs(tmp_path) == [stale]
        assert mine.exists()
    assert not mine.exists()
