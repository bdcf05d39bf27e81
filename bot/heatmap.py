"""The objective x team coverage as a heatmap PNG, with the score trend beneath it.

matplotlib is an optional extra (`alignbot[chart]`): it is imported only when a
picture is drawn, and without it `render_heatmap` returns None so callers fall
back to the text table. Drawing uses matplotlib's object API and the Agg canvas,
never pyplot, so it keeps no global state and is safe in a threaded server.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.alignment.analysis import Report
    from bot.blocks.digest import WeekScore

__all__ = ["heatmap_available", "render_heatmap"]

TITLE_CHARS = 34
TEAM_CHARS = 18
TREND_WEEKS = 12
DPI = 100


def heatmap_available() -> bool:
    """Return whether matplotlib can be imported, so a picture can be drawn."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _matrix(report: Report) -> list[list[int]]:
    return [[report.coverage.get(o.key, {}).get(t, 0) for t in report.teams] for o in report.objectives]


def _figure_size(teams: int, objectives: int, with_trend: bool) -> tuple[float, float]:
    """Return inches that give each cell room for its count and each row its label."""
    width = 3.6 + 0.42 * max(teams, 4)
    height = 1.9 + 0.34 * max(objectives, 3) + (2.3 if with_trend else 0.0)
    return min(width, 30.0), min(height, 24.0)


def render_heatmap(
    report: Report,
    trend: Sequence[WeekScore] = (),
    *,
    title: str = "",
    week: str | None = None,
) -> bytes | None:
    """Return the coverage heatmap (and trend panel when `trend` is given) as PNG bytes.

    `week` labels the report's own point on the trend (default "this week").
    Return None when matplotlib is not installed.
    """
    try:
        import matplotlib  # noqa: F401  (first, so a blocked package fails here)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None

    teams, objectives = list(report.teams), list(report.objectives)
    earlier = [w for w in trend if w.week != week][-(TREND_WEEKS - 1) :]
    with_trend = bool(earlier)
    figure = Figure(figsize=_figure_size(len(teams), len(objectives), with_trend), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    if with_trend:
        grid = figure.add_gridspec(2, 1, height_ratios=[max(len(objectives), 3) * 0.34 + 1.6, 2.0])
        heat_axes, trend_axes = figure.add_subplot(grid[0]), figure.add_subplot(grid[1])
    else:
        heat_axes, trend_axes = figure.add_subplot(), None

    if teams and objectives:
        _draw_heatmap(figure, heat_axes, report, teams, objectives)
    else:
        heat_axes.set_axis_off()
        missing = "objectives" if not objectives else "updates"
        heat_axes.text(0.5, 0.5, f"No {missing} yet", ha="center", va="center", fontsize=12, color="#555555")
    if trend_axes is not None:
        _draw_trend(trend_axes, earlier, report, week)
    if title:
        figure.suptitle(_clip(title, 90), fontsize=13, fontweight="bold")

    out = io.BytesIO()
    # No "Software" entry, so the bytes depend on the report rather than the installed version.
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _draw_heatmap(figure: Any, axes: Any, report: Report, teams: list[str], objectives: list[Any]) -> None:
    import matplotlib
    import numpy

    values = _matrix(report)
    # A floor on the scale keeps a lone update pale instead of looking like the busiest cell.
    peak = max(3, max(max(row) for row in values))
    # Empty cells in light grey, apart from the palest blue of a single update.
    cells = numpy.ma.masked_equal(numpy.array(values, dtype=float), 0)
    palette = matplotlib.colormaps["Blues"].with_extremes(bad="#f1f1f1")
    image = axes.imshow(cells, cmap=palette, vmin=0, vmax=peak, aspect="auto", interpolation="nearest")
    small = len(teams) > 20 or len(objectives) > 20
    label_size = 8 if small else 9
    axes.set_xticks(range(len(teams)))
    axes.set_yticks(range(len(objectives)))
    axes.set_yticklabels([_clip(o.title, TITLE_CHARS) for o in objectives], fontsize=label_size)
    labels = [_clip(t, TEAM_CHARS) for t in teams]
    # Rotate only when the names would collide side by side.
    if len(teams) > 5 or any(len(label) > 10 for label in labels):
        axes.set_xticklabels(labels, fontsize=label_size, rotation=45, ha="right", rotation_mode="anchor")
    else:
        axes.set_xticklabels(labels, fontsize=label_size)
    axes.tick_params(length=0)
    # Thin white lines between cells keep a 40 x 30 grid readable.
    axes.set_xticks([x - 0.5 for x in range(1, len(teams))], minor=True)
    axes.set_yticks([y - 0.5 for y in range(1, len(objectives))], minor=True)
    axes.grid(which="minor", color="white", linewidth=1)
    axes.tick_params(which="minor", length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    for row, counts in enumerate(values):
        for col, count in enumerate(counts):
            if count:
                colour = "white" if count > peak * 0.55 else "#1a1a1a"
                label = axes.text(
                    col, row, str(count), ha="center", va="center", fontsize=7 if small else 9, color=colour
                )
                label.set_in_layout(False)  # inside the cell: no need to measure it for the margins
    axes.set_title("Updates per objective and team", fontsize=11, loc="left")
    bar = figure.colorbar(image, ax=axes, shrink=0.8, pad=0.01)
    bar.set_label("updates", fontsize=9)
    if peak <= 10:
        bar.set_ticks(range(0, peak + 1))
    bar.ax.tick_params(labelsize=8)


def _draw_trend(axes: Any, earlier: Sequence[WeekScore], report: Report, week: str | None) -> None:
    labels = [w.week for w in earlier] + [week or "this week"]
    alignment = [w.alignment * 100 for w in earlier] + [report.alignment * 100]
    interdependence = [w.interdependence * 100 for w in earlier] + [report.interdependence * 100]
    xs = list(range(len(labels)))
    axes.plot(xs, alignment, marker="o", color="#1f77b4", label="alignment")
    axes.plot(xs, interdependence, marker="s", color="#ff7f0e", label="interdependence")
    axes.set_ylim(0, 105)
    axes.set_ylabel("%", fontsize=9)
    axes.set_xticks(xs)
    # "2026-W47" -> "W47" as soon as more than three weeks share the axis: full labels collide.
    short = [label.split("-")[-1] if len(labels) > 3 else label for label in labels]
    axes.set_xticklabels(short, fontsize=8)
    axes.tick_params(axis="y", labelsize=8)
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=8, frameon=False, ncols=2)
    axes.set_title("Trend", fontsize=11, loc="left")
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
