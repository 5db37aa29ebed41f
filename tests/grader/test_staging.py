from __future__ import annotations

import os

from grader.staging import Limits, Unit, copy_submission, stage


def test_links_in_a_submission_are_never_followed(tmp_path):
    source = tmp_path / "sub"
    (source / "pkg").mkdir(parents=True)
    (source / "main.py").write_text("x = 1\n")
    os.symlink("/etc/passwd", source / "calc.py")
    os.symlink("/etc", source / "etc")
    os.symlink("/etc/hostname", source / "pkg" / "inner.py")
    target = tmp_path / "out"
    copy_submission([source], target)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == ["main.py"]


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
