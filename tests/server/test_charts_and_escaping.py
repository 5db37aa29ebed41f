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


def test_one_reading_of_the_grades_whatever_part_is_asked_for(settings):
    """The pages ask the gradebook for less (no tests, one student, one exercise): each part
    is exactly that part of the whole table every export reads."""
    book = Gradebook(settings.db)
    book.record("Ada Lovelace", "h3", "/subs/Ada2", "s", [adder_result(3, ["forged"])], **META)
    book.override("Grace Hopper", "9.1.1", 5, "fine")
    book.override("Linus", "9.1.1", 1, "by hand")

    def key(table):
        return {
            (name, ex): (g.score, g.overridden, g.reason, g.review, g.needs_review, g.graded_at)
            for name, grades in table.items()
            for ex, g in grades.items()
        }

    whole = book.grades()
    assert key(whole)[("Ada Lovelace", "9.1.1")][:4] == (3, False, "", ["forged"])
    assert key(whole)[("Grace Hopper", "9.1.1")][:3] == (5, True, "fine")
    assert key(book.grades(with_tests=False)) == key(whole)
    assert all(not g.tests for row in book.grades(with_tests=False).values() for g in row.values())
    for name in whole:
        assert book.grades(name) == {name: whole[name]}
    assert book.grades(exercise_id="9.1.1") == whole
    assert book.grades(exercise_id="9.9.9") == {name: {} for name in whole}
    assert whole["Ada Lovelace"]["9.1.1"].tests[0]["name"] == "test_adds"


def test_the_gradebooks_columns_come_from_the_register_and_the_newest_results(settings):
    book = Gradebook(settings.db)
    book.record(
        "Ada Lovelace",
        "h4",
        "/x",
        "s",
        [adder_result(8).model_copy(update={"id": "9.1.2"})],
        **META,
    )
    assert [(c.id, c.max_score) for c in book.exercises()] == [("9.1.1", 8), ("9.1.2", 8)]
