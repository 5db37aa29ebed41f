from __future__ import annotations

import shutil
import threading
import time

from grader.watching import changed_exercises, watch
from grader.workspace import Workspace
from tests.conftest import FIXTURE_CATALOG

SOLUTION = FIXTURE_CATALOG / "solutions/9.1-fixture-topic/9.1.1-adder/calc.py"


def test_changed_exercises_maps_files_to_exercises(tmp_path, adder):
    space = Workspace(tmp_path)
    space.start(adder)
    folder = space.folder(adder)
    assert changed_exercises([folder / "calc.py"], [adder], space) == [adder]
    assert changed_exercises([tmp_path / "other" / "calc.py"], [adder], space) == []
    assert changed_exercises([folder / "__pycache__" / "calc.pyc"], [adder], space) == []


def test_saving_a_file_regrades_it(tmp_path, adder, bwrap):
    space = Workspace(tmp_path)
    space.start(adder)
    reports = []
    stop = threading.Event()

    def save_solution():
        time.sleep(0.5)
        shutil.copy(SOLUTION, space.folder(adder) / "calc.py")

    def on_report(report, changed):
        reports.append(report.exercises[0].score)
        if len(reports) == 1:  # graded the starter: now save a solution, as a learner would
            threading.Thread(target=save_solution, daemon=True).start()
        else:
            stop.set()

    thread = threading.Thread(
        target=watch, args=([adder], space, bwrap, on_report), kwargs={"stop": stop}, daemon=True
    )
    thread.start()
    thread.join(timeout=30)
    stop.set()
    assert reports[:2] == [0, 8]
    assert space.progress_store.summary()["9.1.1"].attempts == 2


def test_a_save_that_changes_nothing_is_not_an_attempt(tmp_path, adder, bwrap):
    space = Workspace(tmp_path)
    space.start(adder)
    mine = space.folder(adder) / "calc.py"
    reports = []
    stop = threading.Event()

    def saves():
        time.sleep(0.5)
        mine.write_text(mine.read_text())  # saved unchanged: no grading, no attempt
        time.sleep(1.5)
        shutil.copy(SOLUTION, mine)

    def on_report(report, changed):
        reports.append(report.exercises[0].score)
        if len(reports) == 1:
            threading.Thread(target=saves, daemon=True).start()
        else:
            stop.set()

    thread = threading.Thread(
        target=watch, args=([adder], space, bwrap, on_report), kwargs={"stop": stop}, daemon=True
    )
    thread.start()
    thread.join(timeout=30)
    stop.set()
    assert reports == [0, 8]
    assert space.progress_store.summary()["9.1.1"].attempts == 2
