"""The gradebook on a real PostgreSQL server, started for these tests from Debian's packages."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from grader.gradebook import Gradebook
from tests.conftest import adder_result as result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not binaries or not shutil.which("psql"):
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is not installed (apt-get install postgresql)")
        pytest.skip("PostgreSQL is not installed")
    pytest.importorskip("psycopg")
    bin_dir = binaries[-1]
    root = tempfile.mkdtemp(prefix="grade-pg-")
    os.chmod(root, 0o755)
    data = os.path.join(root, "data")
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        os.makedirs(data)
        user = pwd.getpwnam("postgres")
        os.chown(data, user.pw_uid, user.pw_gid)
        os.chown(root, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [*run_as, f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root}"
    subprocess.run(
        [
            *run_as,
            f"{bin_dir}/pg_ctl",
            "-D",
            data,
            "-o",
            options,
            "-w",
            "-l",
            os.path.join(root, "log"),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True,
        )
        time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)


def test_gradebook_round_trips_on_postgres(postgres_url):
    book = Gradebook(postgres_url)
    meta = {"version": "0.1.0", "sandbox": "bwrap", "image_digest": None, "duration": 1.0}
    book.record("Ada", "h1", "/subs/Ada", "suite1", [result(3)], **meta)
    assert book.is_graded("Ada", "h1", "suite1", "0.1.0")
    assert not book.is_graded("Ada", "h2", "suite1", "0.1.0")
    assert not book.is_graded("Ada", "h1", "suite2", "0.1.0")
    book.record("Ada", "h2", "/subs/Ada", "suite1", [result(8)], **meta)
    grade = book.grades()["Ada"]["9.1.1"]
    assert grade.score == 8 and grade.tests[0]["status"] == "passed"
    book.override("Ada", "9.1.1", 6, "copied code")
    book.record("Ada", "h2", "/subs/Ada", "suite1", [result(8)], **meta)
    grade = Gradebook(postgres_url).grades()["Ada"]["9.1.1"]
    assert (grade.score, grade.overridden) == (6, True)


def test_several_processes_share_a_new_postgres_gradebook(postgres_url, tmp_path):
    """On PostgreSQL two batches ended students as `?` with a unique-constraint error."""
    from sqlalchemy import create_engine, text

    from tests.grader.test_gradebook import concurrent_writers

    database = "race"
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"create database {database}"))
    engine.dispose()
    concurrent_writers(postgres_url.rsplit("/", 1)[0] + f"/{database}", tmp_path)


def test_a_long_legal_name_fits_the_postgres_gradebook(postgres_url):
    """A 246-character student name (a legal file name) failed on varchar(200)."""
    from grader.text import student_name

    raw = "Maria " + "Anna " * 48
    other = raw + "Beth"
    book = Gradebook(postgres_url)
    meta = {"version": "0.1.0", "sandbox": "bwrap", "image_digest": None, "duration": 1.0}
    for name in (raw, other):
        book.record(student_name(name), "h", "/subs/x", "suite1", [result(8)], **meta)
    stored = [s for s in book.students() if s.startswith("Maria")]
    assert len(stored) == 2 and all(len(s) <= 200 for s in stored)
    assert book.is_graded(student_name(raw), "h", "suite1", "0.1.0")
