"""Coverage per day as an SVG bar chart, drawn on the server (the page needs no JavaScript):
one bar per day for the stories published that day, a mark above the days that opened a
development. Pure; the markup holds only numbers and ISO dates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

WIDTH, HEIGHT, TOP = 720, 120, 14  # the drawing's size; room above the bars for the marks
MAX_DAYS = 120  # the latest days shown


@dataclass(frozen=True)
class Day:
    """One day of the story: how many stories came out, how many developments began."""

    day: date
    stories: int
    developments: int


def every_day(days: Sequence[Day]) -> list[Day]:
    """`days` (oldest first) with the days between them that had nothing, so that bars stand
    where their dates are; the latest MAX_DAYS days."""
    if not days:
        return []
    known = {d.day: d for d in days}
    last = days[-1].day
    first = max(days[0].day, last - timedelta(days=MAX_DAYS - 1))
    span = (last - first).days + 1
    return [known.get(first + timedelta(n), Day(first + timedelta(n), 0, 0)) for n in range(span)]


def svg(days: Sequence[Day]) -> str:
    """The chart for `days` (oldest first; the latest MAX_DAYS of them), with a title and a
    description for screen readers."""
    days = list(days)[-MAX_DAYS:]
    if not days:
        return ""
    most = max(d.stories for d in days) or 1
    step = WIDTH / len(days)
    bar = max(1.0, step * 0.8)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        ' aria-labelledby="chart-title chart-desc" class="chart">',
        '<title id="chart-title">Stories per day</title>',
        f'<desc id="chart-desc">Stories per day from {days[0].day} to {days[-1].day}; marks show'
        " the days that opened a development.</desc>",
    ]
    for n, d in enumerate(days):
        height = (HEIGHT - TOP) * d.stories / most
        x = n * step
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{HEIGHT - height:.1f}"'
            f' width="{bar:.1f}" height="{height:.1f}">'
            f"<title>{d.day}: {d.stories} stories, {d.developments} new developments</title></rect>"
        )
        if d.developments:
            parts.append(
                f'<circle class="mark" cx="{x + bar / 2:.1f}" cy="{TOP / 2:.1f}"'
                f' r="{min(5.0, bar / 2 + 1):.1f}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
