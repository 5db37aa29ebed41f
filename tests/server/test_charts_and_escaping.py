"""Charts are plain SVG with their text escaped, and whatever a student wrote reaches a page
as text, never as markup."""

from __future__ import annotations

from grader.gradebook import Gradebook
from grader.server.charts import bar_chart, colour, histogram
from tests.conftest import adder_result

from .conftest import META


def test_a_bar_chart_has_one_bar_per_exercise_and_escapes_labels():
    svg = str(bar_chart(["1.1.1", "<b>"], [50, 100], "Pass & rate"))
    assert svg.startswith("<svg") and svg.count("<rect") == 2
    assert "&lt;b&gt;" in svg and "Pass &amp; rate" in svg and "<b>" not in svg


def test_a_histogram_counts_students_per_tenth():
    svg = str(histogram([0, 5, 55, 100, 100], "Totals"))
    assert "0-10%: 2 students" in svg and "50-60%: 1 students" in svg
    assert "90-100%: 2 students" in svg


def test_cells_are_coloured_by_score():
    assert colour(None) != colour(0) != colour(0.6) != colour(1)


def test_a_students_name_and_messages_are_shown_as_text(teacher, settings):
    Gradebook(settings.db).record(
        "<script>alert(1)</script>",
        "h9",
        "/subs/x",
        "s",
        [adder_result(0, message="<img src=x onerror=alert(2)>")],
        **META,
    )
    overview = teacher.get("/").text
    assert "<script>alert(1)" not in overview and "&lt;script&gt;alert(1)" in overview
    page = teacher.get("/students/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert page.status_code == 200
    assert "<img src=x" not in page.text and "&lt;img src=x" in page.text


def test_the_pages_read_the_same_grades_as_every_export(settings):
    from grader.server.queries import class_grades

    book = Gradebook(settings.db)
    book.record("Ada Lovelace", "h3", "/subs/Ada2", "s", [adder_result(3, ["forged"])], **META)
    book.override("Grace Hopper", "9.1.1", 5, "fine")

    def key(table):
        return {
            (name, ex): (g.score, g.overridden, g.reason, g.review, g.needs_review)
            for name, grades in table.items()
            for ex, g in grades.items()
        }

    assert key(class_grades(book)) == key(book.grades())
    with_tests = class_grades(book, "9.1.1", with_tests=True)
    assert with_tests["Ada Lovelace"]["9.1.1"].tests == book.grades()["Ada Lovelace"]["9.1.1"].tests


def test_the_pages_columns_are_the_gradebooks(settings):
    from grader.server.queries import graded_exercises

    book = Gradebook(settings.db)
    book.record(
        "Ada Lovelace",
        "h4",
        "/x",
        "s",
        [adder_result(8).model_copy(update={"id": "9.1.2"})],
        **META,
    )
    assert graded_exercises(book) == book.exercises()
