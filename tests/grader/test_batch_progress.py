"""A batch's progress in the gradebook: a row that expects the class, an outcome per student as
it lands, closed when the batch ends; and gradebooks made before these tables still open."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from grader.batch import grade_batch
from grader.batch_progress import SILENT_SECONDS, BatchLog, BatchRow, batches, progress
from grader.gradebook import Gradebook
from tests.grader.test_batch import SOLUTION, STARTER, student


def test_a_local_batch_records_its_progress_as_students_land(tmp_path, adder, bwrap):
    book = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    root = tmp_path / "subs"
    student(root, "ada", SOLUTION)
    student(root, "bob", STARTER)
    (root / "broken.zip").write_bytes(b"not a zip")
    seen: list[int] = []

    def on_done(outcome) -> None:  # the row is updated before the next student is reported
        seen.append(progress(book, batches(book)[0].id).done)

    report = grade_batch(root, [adder], book, lambda slot: bwrap, jobs=1, on_done=on_done)
    assert len(report.students) == 3
    assert seen == [1, 2, 3]
    batch = progress(book, batches(book)[0].id)
    assert (batch.expected, batch.done, batch.state) == (3, 3, "finished")
    assert batch.label == str(root) and batch.selection == ["9.1.1"]
    assert batch.finished_at is not None
    scores = {o.student: (o.state, o.score, o.max_score) for o in batch.outcomes}
    assert scores["ada"] == ("graded", 8, 8) and scores["bob"] == ("graded", 0, 8)
    assert scores["broken"][0] == "problem"
    assert batch.average == 33.3  # the mean percentage of the students so far


def test_an_interrupted_batch_is_not_left_running(tmp_path, adder, bwrap):
    book = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    root = tmp_path / "subs"
    student(root, "ada", SOLUTION)
    stop = threading.Event()
    stop.set()
    grade_batch(root, [adder], book, lambda slot: bwrap, jobs=1, stop=stop)
    assert batches(book)[0].state == "interrupted"
    with BatchLog(book) as log:  # an exception (Ctrl-C) leaves the block: interrupted too
        log.start("elsewhere", ["9.1.1"], 2)
    assert batches(book)[0].state == "interrupted"


def test_a_gradebook_made_before_batches_were_kept_still_opens(tmp_path):
    path = tmp_path / "old.db"
    Gradebook(f"sqlite:///{path}").record(
        "ada", "h", "src", "s", [], version="t", sandbox="bwrap", image_digest=None, duration=0
    )
    with sqlite3.connect(path) as db:  # as a gradebook made by a grader without them
        db.execute("drop table batch_outcomes")
        db.execute("drop table batches")
    book = Gradebook(f"sqlite:///{path}")
    assert "ada" in book.students()
    log = BatchLog(book)
    assert log.start("subs", ["9.1.1"], 1) == 1
    log.outcome("ada", "graded", 3, 8)
    log.finish()
    assert progress(book, 1).to_dict()["outcomes"][0]["student"] == "ada"
    with sqlite3.connect(path) as db:  # and the grader's own tables are as they were
        assert db.execute("select count(*) from runs").fetchone() == (1,)


def test_a_killed_batch_reads_as_interrupted_once_silent(tmp_path):
    book = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    log = BatchLog(book, heartbeat=3600)  # killed: it never closes its row
    batch_id = log.start("subs", ["9.1.1"], 2)
    log.outcome("ada", "graded", 3, 8)
    assert progress(book, batch_id).state == "running"
    silent = datetime.now(UTC) - timedelta(seconds=SILENT_SECONDS + 1)
    with book.session() as session, session.begin():
        session.execute(update(BatchRow).values(updated_at=silent))
    batch = progress(book, batch_id)
    assert batch.state == "interrupted" and batch.done == 1
    assert batch.finished_at is not None and batches(book)[0].state == "interrupted"

    log.beat()  # a batch that was only slow is alive again at its next heartbeat
    assert progress(book, batch_id).state == "running"
    log.finish()
    assert progress(book, batch_id).state == "finished"


def test_the_heartbeat_runs_while_the_batch_does_and_stops_with_it(tmp_path):
    book = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    beats = threading.Event()

    class Watched(BatchLog):
        def beat(self) -> None:
            super().beat()
            beats.set()

    log = Watched(book, heartbeat=0.001)
    log.start("subs", ["9.1.1"], 1)
    assert beats.wait(5)
    log.finish()
    assert log._beating is not None and not log._beating.is_alive()
    finished = progress(book, 1)
    log.beat()  # a late beat never revives a finished batch
    assert progress(book, 1).updated_at == finished.updated_at
