"""Charts as inline SVG, drawn here: the pages need no script, no CDN and no network.

Pure functions from numbers to markup; every text they embed is escaped."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 220
MARGIN = 32


def colour(fraction: float | None) -> str:
    """A cell's colour for a score as a fraction of its points: red through amber to green;
    grey for an exercise not handed in."""
    if fraction is None:
        return "#e5e7eb"
    fraction = min(max(fraction, 0.0), 1.0)
    if fraction >= 1:
        return "#86efac"
    if fraction >= 0.5:
        return "#fde68a"
    if fraction > 0:
        return "#fdba74"
    return "#fca5a5"


def bar_chart(labels: list[str], values: list[float], title: str, unit: str = "%") -> Markup:
    """Vertical bars, one per label, values 0..100."""
    inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    step = inner_w / max(len(values), 1)
    bar = min(max(step * 0.8, 1.0), 48.0)
    parts = [_open(title)]
    parts.append(_axis(inner_h))
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = inner_h * min(max(value, 0), 100) / 100
        x = MARGIN + index * step + (step - bar) / 2
        y = MARGIN + inner_h - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
            f'fill="#3b82f6"><title>{escape(label)}: {value:g}{unit}</title></rect>'
        )
        if len(values) <= 30:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - MARGIN + 14}" font-size="9" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram(percents: list[float], title: str, bins: int = 10) -> Markup:
    """How many students fall in each tenth of the total (the last bin includes 100%)."""
    counts = [0] * bins
    for value in percents:
        counts[min(int(value * bins / 100), bins - 1) if value > 0 else 0] += 1
    top = max(counts) or 1
    inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    step = inner_w / bins
    parts = [_open(title), _axis(inner_h, str(top))]
    for index, count in enumerate(counts):
        height = inner_h * count / top
        x = MARGIN + index * step + 1
        y = MARGIN + inner_h - height
        low, high = index * 100 // bins, (index + 1) * 100 // bins
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - 2:.1f}" height="{height:.1f}" '
            f'fill="#10b981"><title>{low}-{high}%: {count} students</title></rect>'
            f'<text x="{x + step / 2:.1f}" y="{HEIGHT - MARGIN + 14}" font-size="9" '
            f'text-anchor="middle">{low}%</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" aria-label="{escape(title)}"><title>{escape(title)}'
        f'</title><text x="{MARGIN}" y="18" font-size="13">{escape(title)}</text>'
    )


def _axis(inner_h: float, top: str = "100%") -> str:
    y = MARGIN + inner_h
    return (
        f'<line x1="{MARGIN}" y1="{y}" x2="{WIDTH - MARGIN}" y2="{y}" stroke="#555"/>'
        f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{y}" stroke="#555"/>'
        f'<text x="{MARGIN - 4}" y="{MARGIN + 4}" font-size="9" text-anchor="end">{escape(top)}'
        f'</text><text x="{MARGIN - 4}" y="{y}" font-size="9" text-anchor="end">0</text>'
    )
