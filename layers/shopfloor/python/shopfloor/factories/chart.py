"""A factory's production as an SVG line chart (pygal): actual against goal over time.

Only the chart route imports this module, so only a request for a chart loads pygal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from math import ceil

import pygal  # type: ignore[import-untyped]  # pygal ships no type information

from shopfloor.factories.service import Factory

# More points than a 960-pixel-wide line shows; beyond it, consecutive points are averaged.
MAX_DRAWN_POINTS = 500
WIDTH = 960
HEIGHT = 480
TIME_LABEL_FORMAT = "%Y-%m-%d %H:%M"


def render_svg(factory: Factory) -> str:
    points = factory.points
    per_point = max(1, ceil(len(points) / MAX_DRAWN_POINTS))
    title = f"Factory {factory.id}: sprocket production"
    if per_point > 1:
        title += f" (averages of {per_point} points)"
    chart = pygal.DateTimeLine(
        title=title,
        x_title="time (UTC)",
        y_title="sprockets",
        width=WIDTH,
        height=HEIGHT,
        legend_at_bottom=True,
        x_label_rotation=30,
        x_value_formatter=lambda moment: moment.strftime(TIME_LABEL_FORMAT),
        truncate_label=-1,
        show_dots=len(points) <= 60,
        # pygal links a tooltip script from a CDN by default; the chart is a picture, not an app.
        js=[],
    )
    times = [datetime.fromtimestamp(time, UTC) for time in averaged(points.time, per_point, first=True)]
    chart.add("actual", list(zip(times, averaged(points.actual, per_point), strict=True)))
    chart.add("goal", list(zip(times, averaged(points.goal, per_point), strict=True)))
    svg: str = chart.render(is_unicode=True)
    return svg


def averaged(values: Sequence[int], per_point: int, *, first: bool = False) -> list[float]:
    """Each run of `per_point` consecutive values as one: their mean, or (`first`) the first."""
    if per_point == 1:
        return [float(value) for value in values]
    runs = (values[start : start + per_point] for start in range(0, len(values), per_point))
    return [float(run[0]) if first else sum(run) / len(run) for run in runs]
