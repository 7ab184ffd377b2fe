"""Charts as images for e-mail: a metric's values over the periods of a window, drawn as
a PNG with matplotlib (mail readers run no scripts, so the cockpit's Chart.js cannot
draw them)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

WIDTH, HEIGHT, DPI = 4.8, 1.8, 100
"""Inches and dots per inch: 480 × 180 pixels, readable in a mail column."""


def series_png(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    marks: Sequence[tuple[int, int]] = (),
) -> bytes:
    """A line of `values` over `labels` (a gap where a value is None), titled, as PNG;
    each of `marks` (position in labels, number) a dashed line labelled with its number:
    an annotation, whose text is printed beside the chart.

    Examples:
        >>> png = series_png("Bookings", ["Jan", "Feb", "Mar"], [1.0, None, 3.0], [(1, 1)])
        >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
        True
    """
    figure, axes = _canvas()
    points = [float("nan") if v is None else float(v) for v in values]
    axes.plot(range(len(points)), points, marker="o", color="#1f5fbf", linewidth=2)
    axes.set_xticks(range(len(labels)), [str(label) for label in labels], fontsize=8)
    for position, number in marks:
        axes.axvline(position, color="#b26a00", linestyle="--", linewidth=1)
        axes.annotate(
            str(number), (position, 1.0), xycoords=("data", "axes fraction"),
            xytext=(3, -10), textcoords="offset points", fontsize=8, color="#b26a00",
        )  # fmt: skip
    return _png(figure, axes, title)


def bars_png(title: str, labels: Sequence[str], values: Sequence[float | None]) -> bytes:
    """Bars of `values` over `labels` (none where a value is None), titled, as PNG: steps
    of a waterfall, amounts by stage.

    Examples:
        >>> bars_png("Pipeline", ["start", "won"], [3.0, None])[:4] == b"\\x89PNG"
        True
    """
    figure, axes = _canvas()
    heights = [0.0 if v is None else float(v) for v in values]
    axes.bar(range(len(heights)), heights, color="#1f5fbf")
    axes.set_xticks(
        range(len(labels)), [str(label) for label in labels], fontsize=7, rotation=30, ha="right"
    )
    return _png(figure, axes, title)


def _canvas() -> tuple[Any, Any]:
    """A figure of the mail column's size and its one axes (matplotlib without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    return figure, figure.add_subplot()


def _png(figure: Any, axes: Any, title: str) -> bytes:
    """The chart titled, its frame light, as PNG bytes."""
    axes.tick_params(axis="y", labelsize=8)
    axes.set_title(title, fontsize=10, loc="left")
    axes.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
