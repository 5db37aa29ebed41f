"""The teacher's pages in a real Chromium (Debian's, driven by Playwright) against a real
uvicorn: sign in, the overview, a student, an override, a CSV download, a batch followed live.
Screenshots of each page are kept in the test's tmp folder."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from grader.batch_progress import BatchLog
from grader.gradebook import Gradebook
from grader.server import create_app

from .conftest import PASSWORD, NoGrading
from .live import running

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _unavailable(reason: str) -> None:
    """Skip with the reason; in CI (REQUIRE_CHROMIUM=1, .ci/run) a missing browser fails."""
    if os.environ.get("REQUIRE_CHROMIUM"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)


try:
    from playwright import sync_api as playwright_api
except ImportError:
    _unavailable("playwright is not installed: pip install -e '.[dev]'")
if not Path(CHROMIUM).is_file():
    _unavailable("Chromium is missing: install Debian's `chromium` package (.ci/provision does)")


@pytest.fixture
def browser_page(settings, tmp_path):
    settings = replace(settings, poll_interval=0.2)  # the batch page looks often here
    served = create_app(settings, NoGrading(Gradebook(settings.db), lambda slot: None, 1))
    with running(served) as url, playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(accept_downloads=True, base_url=url)
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            yield page
        finally:
            page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
            context.close()
            browser.close()


def test_a_teacher_signs_in_follows_a_student_overrides_and_downloads(
    browser_page, settings, tmp_path
):
    page = browser_page
    shots = tmp_path / "screenshots"
    page.goto("/")
    assert "/login" in page.url
    page.get_by_label("Teacher password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "Wrong password."
    page.get_by_label("Teacher password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    assert page.locator("#overview tbody tr").count() == 3
    assert page.locator("svg[aria-label='Pass rate per exercise (full points)']").count() == 1
    page.screenshot(path=str(shots / "overview.png"), full_page=True)

    page.locator("#overview thead").get_by_role("link", name="9.1.1").click()
    page.wait_for_url("**/exercises/9.1.1")
    assert "test_adds" in page.locator("#failing").inner_text()
    page.screenshot(path=str(shots / "exercise.png"), full_page=True)

    page.get_by_role("link", name="Grace Hopper").click()
    page.wait_for_url("**/students/Grace%20Hopper")
    assert "Total 0 / 8" in page.locator("body").inner_text()
    page.screenshot(path=str(shots / "student.png"), full_page=True)

    form = page.locator("form.override").first
    form.get_by_label("Manual grade").fill("6")
    form.get_by_label("Reason").fill("explained it in office hours")
    form.get_by_role("button", name="Set").click()
    page.get_by_role("status").wait_for()
    assert "Saved the manual grade of 9.1.1" in page.get_by_role("status").inner_text()
    assert "Total 6 / 8" in page.locator("body").inner_text()
    page.screenshot(path=str(shots / "override.png"), full_page=True)
    grade = Gradebook(settings.db).grades("Grace Hopper")["Grace Hopper"]["9.1.1"]
    assert (grade.score, grade.reason) == (6, "explained it in office hours")

    page.goto("/")
    with page.expect_download() as download:
        page.get_by_role("link", name="csv", exact=True).click()
    saved = tmp_path / "grades.csv"
    download.value.save_as(saved)
    text = saved.read_text()
    assert text.startswith("student,") or "student" in text.splitlines()[0].lower()
    assert "Grace Hopper" in text and "6" in text
    assert (shots / "overview.png").is_file()


def test_a_teacher_follows_a_batch_without_reloading(browser_page, settings, tmp_path):
    """A batch writing into the gradebook through the batch's own log (BatchLog, as
    grade_batch and grade batch --broker do): the open page counts its students as they land."""
    page = browser_page
    shots = tmp_path / "screenshots"
    log = BatchLog(Gradebook(settings.db))
    batch = log.start("/term/submissions", ["9.1.1"], 3)
    page.goto(f"/batches/{batch}")
    page.get_by_label("Teacher password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/batches/{batch}")
    assert page.locator("#done").inner_text() == "0"
    assert page.locator("#expected").inner_text() == "3"
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again

    log.outcome("Ada Lovelace", "graded", 8, 8)
    page.wait_for_function("document.getElementById('done').textContent === '1'")
    assert "Ada Lovelace" in page.locator("#outcomes tbody").inner_text()
    assert page.locator("#bar").get_attribute("value") == "1"
    page.screenshot(path=str(shots / "batch-running.png"), full_page=True)

    log.outcome("<img src=x onerror=alert(1)>", "problem", 0, 8, "unreadable zip")
    log.outcome("Grace Hopper", "graded", 4, 8)
    log.finish()
    page.wait_for_function("document.getElementById('state').textContent === 'finished'")
    assert page.locator("#done").inner_text() == "3"
    assert page.locator("#average").inner_text() == "50"
    assert page.locator("#outcomes tbody img").count() == 0  # names are text, never HTML
    assert page.evaluate("window.sameDocument") is True
    page.screenshot(path=str(shots / "batch-finished.png"), full_page=True)
    assert (shots / "batch-running.png").is_file()
