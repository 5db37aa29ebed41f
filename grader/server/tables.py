"""The overview's body rows, built as one string: 200 students x 138 exercises are 27,600
cells, which a template loop renders several times slower than a join. Every text is escaped
here, as the templates would."""

from __future__ import annotations

import urllib.parse
from functools import cached_property
from html import escape

from markupsafe import Markup

from ..standing import ClassView, ExerciseColumn, Standing
from .charts import colour

MISSING_COLOUR = colour(None)


class PageView(ClassView):
    """A ClassView whose standings are made once per page (the summary and the table both
    read them)."""

    @cached_property
    def _standings(self) -> list[Standing]:
        return super().standings()

    def standings(self) -> list[Standing]:
        return self._standings


def overview_rows(standings: list[Standing], columns: list[ExerciseColumn]) -> Markup:
    titles = [escape(column.id) for column in columns]
    rows = []
    for standing in standings:
        name = escape(standing.student)
        link = urllib.parse.quote(standing.student, safe="")
        state = standing.state.state
        note = f' <span class="error">({escape(state)})</span>' if state != "graded" else ""
        cells = []
        for title, cell in zip(titles, standing.cells, strict=True):
            grade = cell.grade
            if grade is None:
                cells.append(
                    f'<td class="cell" style="background:{MISSING_COLOUR}" '
                    f'title="{title}: missing">–</td>'
                )
                continue
            maximum = cell.column.max_score
            shade = colour(grade.score / maximum if maximum else 0.0)
            if grade.overridden:
                cells.append(
                    f'<td class="cell" style="background:{shade}" '
                    f'title="{title}: overridden">{grade.score:g}*</td>'
                )
            else:
                cells.append(
                    f'<td class="cell" style="background:{shade}" '
                    f'title="{title}: graded">{grade.score:g}</td>'
                )
        rows.append(
            f'<tr><td><a href="/students/{link}">{name}</a>{note}</td>{"".join(cells)}'
            f"<td>{standing.total:g}</td><td>{standing.percent}</td></tr>"
        )
    return Markup("\n".join(rows))
